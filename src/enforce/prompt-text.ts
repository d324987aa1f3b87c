import type { RequestBody } from '../policy/input.ts';

/** All text a request sends as its prompt (messages, system, tool definitions), for token estimates. */
export function promptText(r: RequestBody): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      // Image and document payloads are bytes, not text; providers bill them separately.
      if (o.type === 'image_url' || o.type === 'image' || o.type === 'input_audio' || o.type === 'file' || o.type === 'document' || o.type === 'input_image' || o.type === 'input_file') return;
      for (const [k, val] of Object.entries(o)) if (k !== 'type' && k !== 'id' && k !== 'tool_call_id' && k !== 'tool_use_id' && k !== 'call_id' && k !== 'cache_control') walk(val);
    }
  };
  if (r.endpoint === 'embeddings') walk(r.body.input);
  else if (r.endpoint === 'completions') {
    walk(r.body.prompt);
    walk(r.body.suffix);
  }
  else if (r.endpoint === 'messages') {
    walk(r.body.system);
    walk(r.body.messages);
    walk(r.body.tools);
  } else if (r.endpoint === 'responses') {
    walk(r.body.instructions);
    walk(r.body.input);
    walk(r.body.tools);
  } else {
    walk(r.body.messages);
    walk(r.body.tools);
  }
  return out.join('\n');
}
