import type { Runtime } from '../config/runtime.ts';

/** The start-up message: where it listens, what it serves, and a curl to try. */
export function banner(url: string, rt: Runtime): string {
  const models = rt.catalog.list().filter((e) => e.model.kind === 'chat');
  const example = models.find((m) => m.model.provider !== 'mock')?.name ?? models[0]?.name ?? 'mock-gpt';
  const keyHint = rt.config.server.allow_anonymous ? 'anything' : '<your-key>';
  return [
    `Tollgate listening on ${url}`,
    `  providers: ${[...rt.adapters.keys()].join(', ') || '(none)'}`,
    `  models:    ${models.map((m) => m.name).join(', ') || '(none)'}`,
    '',
    'Try it:',
    `  curl ${url}/v1/chat/completions \\`,
    `    -H 'authorization: Bearer ${keyHint}' -H 'content-type: application/json' \\`,
    `    -d '{"model":"${example}","messages":[{"role":"user","content":"Hello"}]}'`,
    '',
  ].join('\n');
}
