/**
 * The OpenAI mock's legacy POST /v1/completions, shaped as the recorded gpt-3.5-turbo-instruct
 * traffic (test/fixtures/openai/vercel-ai_openai_completion_*): `cmpl-` ids, object
 * `text_completion`, choices with text/index/logprobs/finish_reason; streams send one text piece
 * a chunk, the finish_reason on the last piece, then (with include_usage) a chunk with no choices
 * and the usage, every other chunk carrying `usage: null`. Honours `prompt` (string, strings,
 * token ids), `n`, `max_tokens` (default 16; each word a token), `echo`, `logprobs` and `stop`.
 */
type Json = Record<string, unknown>;

const ANSWER = 'Hello from openai completions';

export function completionsAnswer(body: Json, model: string): Response {
  const prompts = promptTexts(body.prompt);
  const n = typeof body.n === 'number' ? body.n : 1;
  const max = typeof body.max_tokens === 'number' ? body.max_tokens : 16;
  const stops = typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? (body.stop as string[]) : [];
  let words = ANSWER.split(' ').map((w, i) => (i ? ` ${w}` : w));
  let finish = 'stop';
  const stopAt = words.findIndex((w) => stops.some((s) => w.includes(s)));
  if (stopAt >= 0) words = words.slice(0, stopAt);
  if (words.length > max) {
    words = words.slice(0, max);
    finish = 'length';
  }
  const choices = prompts.flatMap((p, pi) => Array.from({ length: n }, (_, k) => ({ prompt: p, index: pi * n + k })));
  const usage = { prompt_tokens: 5 * prompts.length, completion_tokens: words.length * choices.length, total_tokens: 5 * prompts.length + words.length * choices.length };
  const base = { id: 'cmpl-up1', object: 'text_completion', created: 1770934479 };
  const logprobs = (pieces: string[], offset: number) =>
    typeof body.logprobs === 'number'
      ? { tokens: pieces, token_logprobs: pieces.map(() => -0.25), top_logprobs: pieces.map((t) => ({ [t]: -0.25 })), text_offset: pieces.map((_, i) => offset + pieces.slice(0, i).join('').length) }
      : null;
  if (!body.stream) {
    return Response.json({
      ...base,
      model,
      choices: choices.map((c) => {
        const text = (body.echo ? c.prompt : '') + words.join('');
        return { text, index: c.index, logprobs: logprobs(body.echo ? [c.prompt, ...words] : words, 0), finish_reason: finish };
      }),
      usage,
    });
  }
  const withUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  const tail = withUsage ? { usage: null } : {};
  const chunks: Json[] = [];
  for (const c of choices) {
    const pieces = body.echo ? [c.prompt, ...words] : words;
    pieces.forEach((text, i) => chunks.push({ ...base, choices: [{ text, index: c.index, logprobs: logprobs([text], 0), finish_reason: i === pieces.length - 1 ? finish : null }], model, ...tail }));
  }
  if (withUsage) chunks.push({ ...base, model, usage, choices: [] });
  const enc = new TextEncoder();
  const cut = model.includes('cut');
  const sent = cut ? chunks.slice(0, 2) : chunks;
  const stream = new ReadableStream<Uint8Array>({
    start(ctl) {
      for (const ch of sent) ctl.enqueue(enc.encode(`data: ${JSON.stringify(ch)}\n\n`));
      if (!cut) ctl.enqueue(enc.encode('data: [DONE]\n\n'));
      ctl.close();
    },
  });
  return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
}

/** Token-id prompts read as `<ids:N>` (the mock has no tokenizer); OpenAI accepts all four forms. */
function promptTexts(prompt: unknown): string[] {
  if (typeof prompt === 'string') return [prompt];
  if (!Array.isArray(prompt) || !prompt.length) return [''];
  if (typeof prompt[0] === 'number') return [`<ids:${prompt.length}>`];
  return prompt.map((p) => (typeof p === 'string' ? p : `<ids:${(p as unknown[]).length}>`));
}
