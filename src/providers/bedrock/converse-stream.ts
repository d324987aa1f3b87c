import { GatewayError } from '../../lib/errors.ts';
import { DONE, type StreamEvent, type Usage } from '../types.ts';
import { asObject } from '../openai/openai-openai.ts';
import { streamException } from './bedrock-error.ts';
import { finishReason, openaiUsage, readConverseUsage } from './converse-usage.ts';

interface StreamOptions {
  provider: string;
  /** id, object, created, model shared by every chunk. */
  base: Record<string, unknown>;
  /** The client asked for `stream_options.include_usage`. */
  includeUsage: boolean;
  onUsage(u: Usage): void;
  /** `parallel_tool_calls: false`: tool calls after the first are not passed on. */
  oneCall?: boolean;
  /** The synthetic json_object tool: its input streams as the message content. */
  jsonTool?: string;
}

/**
 * ConverseStream events → OpenAI chat.completion.chunk events, for one response.
 *
 * Converse sends messageStop (stop reason) and metadata (usage) as two events in either order,
 * so the finish chunk goes out on messageStop and the usage chunk once both have arrived (or at
 * the end). A stream without messageStop never finished.
 */
export function converseStream(o: StreamOptions) {
  const { provider } = o;
  let started = false;
  let sawStop = false;
  let sawMetadata = false;
  let usageSent = false;
  let usage: Usage | undefined;
  /** contentBlockIndex → OpenAI tool_calls index, for client-visible tool calls only. */
  const tools = new Map<number, number>();
  /** Blocks that belong to server-side tools (or extra calls cut by oneCall); their deltas are not the client's. */
  const serverBlocks = new Set<number>();
  /** Blocks of the json_object tool, whose input is the answer's text. */
  const jsonBlocks = new Set<number>();
  /** Tool blocks that received input; one that got none still owes the client `{}`. */
  const toolsWithInput = new Set<number>();

  const chunk = (delta: Record<string, unknown>, finish: string | null = null): StreamEvent => ({
    data: { ...o.base, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] },
  });
  const usageChunk = (): StreamEvent => {
    usageSent = true;
    return { data: { ...o.base, choices: [], usage: openaiUsage(usage ?? readConverseUsage(undefined)) } };
  };
  /** The role chunk, sent once before any content even when messageStart is missing. */
  const open = (out: StreamEvent[]) => {
    if (!started) out.push(chunk({ role: 'assistant', content: '' }));
    started = true;
  };

  function event(ev: StreamEvent): StreamEvent[] {
    const type = ev.event ?? '';
    const data = asObject(ev.data, provider);
    const out: StreamEvent[] = [];
    switch (type) {
      case 'messageStart':
        open(out);
        break;
      case 'contentBlockStart': {
        const index = blockIndex(data);
        const start = (data.start ?? {}) as { toolUse?: { toolUseId?: unknown; name?: unknown; type?: unknown } };
        const tu = start.toolUse;
        if (!tu) break;
        if (tu.type === 'server_tool_use' || (o.oneCall && tools.size > 0)) {
          serverBlocks.add(index);
          break;
        }
        if (typeof tu.toolUseId !== 'string' || typeof tu.name !== 'string') {
          throw new GatewayError('upstream_invalid', `${provider} started a tool call without id or name`);
        }
        if (tu.name === o.jsonTool) {
          jsonBlocks.add(index);
          open(out);
          break;
        }
        const toolIndex = tools.size;
        tools.set(index, toolIndex);
        open(out);
        out.push(chunk({ tool_calls: [{ index: toolIndex, id: tu.toolUseId, type: 'function', function: { name: tu.name, arguments: '' } }] }));
        break;
      }
      case 'contentBlockDelta': {
        const index = blockIndex(data);
        const delta = asObject(data.delta, provider);
        if (typeof delta.text === 'string') {
          if (delta.text) {
            open(out);
            out.push(chunk({ content: delta.text }));
          }
        } else if (delta.toolUse) {
          if (serverBlocks.has(index)) break;
          const input = (delta.toolUse as { input?: unknown }).input;
          if (jsonBlocks.has(index)) {
            if (typeof input === 'string' && input) out.push(chunk({ content: input }));
            break;
          }
          const toolIndex = tools.get(index);
          if (toolIndex === undefined) throw new GatewayError('upstream_invalid', `${provider} sent tool input for a block that never started`);
          if (typeof input === 'string' && input) {
            toolsWithInput.add(index);
            out.push(chunk({ tool_calls: [{ index: toolIndex, function: { arguments: input } }] }));
          }
        } else if (delta.reasoningContent) {
          // Signatures and redacted reasoning are opaque to OpenAI clients; only text is shown.
          const text = (delta.reasoningContent as { text?: unknown }).text;
          if (typeof text === 'string' && text) {
            open(out);
            out.push(chunk({ reasoning_content: text }));
          }
        }
        break;
      }
      case 'contentBlockStop': {
        // A tool without arguments streams no input; OpenAI clients expect parseable JSON.
        const toolIndex = tools.get(blockIndex(data));
        if (toolIndex !== undefined && !toolsWithInput.has(blockIndex(data))) {
          out.push(chunk({ tool_calls: [{ index: toolIndex, function: { arguments: '{}' } }] }));
        }
        break;
      }
      case 'messageStop':
        if (sawStop) throw new GatewayError('upstream_invalid', `${provider} sent messageStop twice`);
        sawStop = true;
        open(out);
        out.push(chunk({}, finishReason(data.stopReason, tools.size > 0, provider)));
        if (sawMetadata && o.includeUsage) out.push(usageChunk());
        break;
      case 'metadata':
        sawMetadata = true;
        usage = readConverseUsage(data.usage);
        o.onUsage(usage);
        if (sawStop && o.includeUsage && !usageSent) out.push(usageChunk());
        break;
      default:
        if (/Exception$/.test(type)) throw streamException(provider, type, typeof data.message === 'string' ? data.message : undefined);
        // Event types added to the service later carry nothing a chat client needs.
        break;
    }
    return out;
  }

  function end(): StreamEvent[] {
    if (!sawStop) throw new GatewayError('upstream_invalid', `${provider} closed the stream before messageStop`);
    const out: StreamEvent[] = [];
    if (o.includeUsage && !usageSent) out.push(usageChunk());
    out.push({ data: DONE });
    return out;
  }

  function blockIndex(data: Record<string, unknown>): number {
    const i = data.contentBlockIndex;
    if (typeof i !== 'number') throw new GatewayError('upstream_invalid', `${provider} sent a content block event without contentBlockIndex`);
    return i;
  }

  return { event, end };
}
