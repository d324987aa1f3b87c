/**
 * What every mock upstream's `tool` and `json` behaviours answer, whatever its wire:
 * - the tool called is the forced one, else one the prompt names (a word of its own), else the first;
 * - the call's arguments are `{"location":"Paris"}`, unless the prompt spells them out as
 *   `key=value` words for keys of the tool's input schema (`Read file_path=/tmp/x/notes.txt`),
 *   so a real agent's tool (Claude Code's Read) can be driven through a full loop;
 * - once the conversation ends with a tool result, the model answers in text, quoting it, as a
 *   real model does after a tool call (and a client's tool loop ends).
 */
type Json = Record<string, unknown>;

export const TOOL_ANSWER_PREFIX = 'The tool said: ';

export function pickTool<T>(tools: T[], nameOf: (t: T) => string, prompt: string, forced?: string): T | undefined {
  const words = new Set(prompt.split(/[^\w-]+/));
  return tools.find((t) => nameOf(t) === forced) ?? tools.find((t) => words.has(nameOf(t))) ?? tools[0];
}

export function toolArguments(schema: unknown, prompt: string): Json {
  const props = Object.keys(((schema ?? {}) as Json).properties ?? {});
  const args: Json = {};
  for (const key of props) {
    const m = new RegExp(`(?:^|\\s)${key.replace(/[^\w-]/g, '')}=(\\S+)`).exec(prompt);
    if (m) args[key] = m[1];
  }
  return Object.keys(args).length ? args : { location: 'Paris' };
}

/** The text a model answers with after a tool result whose text is `result`. */
export function toolAnswer(result: string): string {
  return TOOL_ANSWER_PREFIX + result.replace(/\s+/g, ' ').trim().slice(0, 400);
}
