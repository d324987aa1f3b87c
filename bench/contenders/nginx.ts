/** Debian's nginx as a reverse proxy: proxy_pass with upstream keepalive, no buffering (SSE). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureApt, run } from '../lib/install.ts';
import type { Contender, Ctx, Unavailable } from './types.ts';

export async function nginx(ctx: Ctx): Promise<Contender | Unavailable> {
  const got = await ensureApt('nginx', 'nginx');
  if (!got.ok) return { name: 'nginx', unavailable: got.reason };
  const bin = got.path!;
  const v = await run([bin, '-v'], { timeoutMs: 10_000 });
  return {
    name: 'nginx',
    describe: `nginx ${/nginx\/(\S+)/.exec(v.out)?.[1] ?? got.version} (Debian ${got.version}): worker_processes ${ctx.cores}, proxy_pass to an upstream with keepalive 64, HTTP/1.1, proxy_buffering off, access_log off`,
    version: got.version,
    path: '/v1/chat/completions',
    headers: {},
    async launch(port, dir) {
      mkdirSync(join(dir, 'tmp'), { recursive: true });
      const conf = join(dir, 'nginx.conf');
      writeFileSync(
        conf,
        `worker_processes ${ctx.cores};
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  upstream mock {
    server ${ctx.upstreamHost};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
`,
      );
      return { cmd: [bin, '-p', dir, '-e', join(dir, 'error.log'), '-c', conf, '-g', 'daemon off;'] };
    },
  };
}
