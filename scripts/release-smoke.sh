#!/usr/bin/env bash
# Builds the release (`npm run release`, which reuses binaries whose inputs are unchanged) and
# smoke-tests dist/tollgate-linux-arm64 under qemu-user: `--version`, `config check` on the
# embedded default config, and `serve` answering one chat completion with the mock provider,
# then stopping cleanly on SIGTERM. Installs qemu-user and the arm64 glibc and libgcc
# (Debian/Ubuntu packages) when missing. Needs `npm ci` done.
# Prints "release smoke: OK (timings)" or one line "release smoke FAILED: <step>: <why>" (exit 1).
set -uo pipefail
cd "$(dirname "$0")/.."

SYSROOT=/usr/aarch64-linux-gnu
BIN=$PWD/dist/tollgate-linux-arm64
work=$(mktemp -d "${TMPDIR:-/tmp}/tollgate-smoke.XXXXXX")
server_pid=

cleanup() {
  if [ -n "$server_pid" ]; then kill -KILL "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
  rm -rf "$work"
}
trap cleanup EXIT

# The last lines of a log, on one line.
tail_of() { tail -n "${2:-3}" "$1" 2>/dev/null | tr '\n' ' ' | tr -s ' ' | cut -c1-400; }
fail() { echo "release smoke FAILED: $1"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

ensure_qemu() {
  local need=() sudo=
  command -v qemu-aarch64 >/dev/null || command -v qemu-aarch64-static >/dev/null || need+=(qemu-user)
  [ -e "$SYSROOT/lib/ld-linux-aarch64.so.1" ] || need+=(libc6-arm64-cross)
  [ -e "$SYSROOT/lib/libgcc_s.so.1" ] || need+=(libgcc-s1-arm64-cross) # the libSQL addon links it
  [ ${#need[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || fail "install: ${need[*]} missing and there is no apt-get"
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || fail "install: ${need[*]} missing; apt-get needs root and there is no sudo"
    sudo="sudo -n"
  fi
  local log=$work/apt.log install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}")
  $sudo "${install[@]}" >"$log" 2>&1 \
    || { $sudo apt-get update -q >>"$log" 2>&1 && $sudo "${install[@]}" >>"$log" 2>&1; } \
    || fail "install: apt-get install ${need[*]}: $(tail_of "$log")"
}

QEMU=
# The arm64 binary runs in $work (no gateway.config.yaml there: the embedded one is used), with
# its addon cache and database inside $work and no provider credentials from the environment.
ARM64_ENV=(-u OPENAI_API_KEY -u ANTHROPIC_API_KEY -u GEMINI_API_KEY -u AWS_ACCESS_KEY_ID "TOLLGATE_CACHE_DIR=$work/cache" "HOME=$work")
# A one-shot command, stopped after 120 s.
arm64_once() { (cd "$work" && exec env "${ARM64_ENV[@]}" timeout 120 "$QEMU" -L "$SYSROOT" "$BIN" "$@"); }

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

t0=$(now)
npm run release --silent >"$work/release.log" 2>&1 || fail "npm run release: $(tail_of "$work/release.log")"
[ -x "$BIN" ] || fail "npm run release: $BIN was not built"
release_time=$(since "$t0")

t=$(now)
ensure_qemu
QEMU=$(command -v qemu-aarch64 || command -v qemu-aarch64-static)
qemu_setup=$(since "$t")

t=$(now)
want=$(node -p 'require("./package.json").version')
got=$(arm64_once --version 2>"$work/version.err") \
  || fail "--version: exit $?: $(tail_of "$work/version.err")"
[ "$got" = "$want" ] || fail "--version: printed '$got', expected '$want'"
version_time=$(since "$t")

t=$(now)
arm64_once config check >"$work/check.log" 2>&1 || fail "config check: exit $?: $(tail_of "$work/check.log")"
grep -q '^embedded config: OK' "$work/check.log" || fail "config check: unexpected output: $(tail_of "$work/check.log")"
check_time=$(since "$t")

t=$(now)
port=$(free_port) || fail "serve: no free port"
# One subshell that execs qemu, so $! is the server's own pid.
(cd "$work" && exec env "${ARM64_ENV[@]}" "$QEMU" -L "$SYSROOT" "$BIN" serve --port "$port") >"$work/serve.log" 2>&1 &
server_pid=$!
deadline=$((SECONDS + 120))
until curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; do
  kill -0 "$server_pid" 2>/dev/null || fail "serve: exited before answering /healthz: $(tail_of "$work/serve.log")"
  [ $SECONDS -lt $deadline ] || fail "serve: no 200 on /healthz within 120 s: $(tail_of "$work/serve.log")"
  sleep 0.25
done
ready_time=$(since "$t")
status=$(curl -s -m 60 -o "$work/chat.json" -w '%{http_code}' "http://127.0.0.1:$port/v1/chat/completions" \
  -H 'authorization: Bearer smoke' -H 'content-type: application/json' \
  -d '{"model":"mock","messages":[{"role":"user","content":"Hello from arm64"}]}')
[ "$status" = 200 ] || fail "serve: chat completion answered HTTP $status: $(tail_of "$work/chat.json" 1)"
grep -q '"content":"Mock reply to: Hello from arm64"' "$work/chat.json" || fail "serve: unexpected chat completion: $(tail_of "$work/chat.json" 1)"
kill -TERM "$server_pid"
for _ in $(seq 1 60); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.25; done
kill -0 "$server_pid" 2>/dev/null && fail "serve: still running 15 s after SIGTERM"
wait "$server_pid"
code=$?
server_pid=
[ "$code" -eq 0 ] || fail "serve: exit $code after SIGTERM: $(tail_of "$work/serve.log")"
serve_time=$(since "$t")

echo "release smoke: OK (release $release_time, qemu setup $qemu_setup; linux-arm64 under qemu: --version $version_time, config check $check_time, serve ready $ready_time, serve+chat+stop $serve_time; total $(since "$t0"))"
