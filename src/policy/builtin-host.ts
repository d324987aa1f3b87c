/**
 * The builtin host for policies that call builtins OPA's wasm compiler does not build in
 * (time.*, net.cidr_*, io.jwt.*, sprintf, yaml.*, …): a Go runtime of the embedded compiler
 * answers each call with OPA's own Go implementation, synchronously. It is started on first
 * need (a policy that calls none never loads it) and shared by every policy of the process.
 */
import { startGoRuntime, type GoBridge } from './compiler/index.ts';
import type { BuiltinHost, EvaluationClock } from './opa-abi.ts';

let runtime: Promise<GoBridge> | undefined;

function goHost(bridge: GoBridge): BuiltinHost {
  return {
    call: (name: string, operands: string[], clock: EvaluationClock) => bridge.builtin(clock.seq, clock.nowNs, name, operands),
    closed: bridge.closed,
  };
}

/** The process's builtin host, started (≈40 ms with the compiler module compiled, ~1 s without) on first call. */
export async function acquireBuiltinHost(): Promise<BuiltinHost> {
  const mine = (runtime ??= startGoRuntime());
  try {
    const bridge = await mine;
    void bridge.closed.then(() => {
      if (runtime === mine) runtime = undefined; // a crashed runtime is replaced on next need
    });
    return goHost(bridge);
  } catch (e) {
    if (runtime === mine) runtime = undefined;
    throw e;
  }
}
