/**
 * Provider features a client switches on with the gateway's shared provider key: Anthropic
 * betas (the `anthropic-beta` header) and server-side tools (tools the provider runs or that
 * need a beta: web search, code execution, MCP servers, computer use). Each provider has an
 * allow-list in config; a policy may allow more per request (decision `allow_betas`,
 * `allow_server_tools`); anything else is refused with a 403 naming it.
 */

/**
 * The betas the official clients send on ordinary requests: Claude Code on every call
 * (claude-code, interleaved thinking, fine-grained tool streaming, context management, and
 * oauth when logged in) and @anthropic-ai/sdk's structured-output `parse()` and token counting.
 * Betas that bill or reach more (files, MCP, skills, 1M context, web search) are left to the operator.
 */
export const DEFAULT_ALLOWED_BETAS: readonly string[] = [
  'claude-code-20250219',
  'interleaved-thinking-2025-05-14',
  'fine-grained-tool-streaming-2025-05-14',
  'context-management-2025-06-27',
  'oauth-2025-04-20',
  // What Claude Code 2.1 sends on every call: system turns inside messages, effort, thinking
  // token counts, cache scoping, tool search's deferred tools and tools that change
  // mid-conversation. Each shapes the answer; none reaches further or bills more.
  'mid-conversation-system-2026-04-07',
  'effort-2025-11-24',
  'thinking-token-count-2026-05-13',
  'prompt-caching-scope-2026-01-05',
  'advanced-tool-use-2025-11-20',
  'mid-conversation-tool-changes-2026-07-01',
  'structured-outputs-2025-09-17',
  'structured-outputs-2025-12-15',
  'token-counting-2024-11-01',
  // Prompt caching is generally available; older SDKs still send its beta, which changes nothing.
  'prompt-caching-2024-07-31',
];

/** No server-side tool is on by default: each one spends money or reaches the network on the provider's side. */
export const DEFAULT_ALLOWED_SERVER_TOOLS: readonly string[] = [];

export interface FeatureLists {
  allowed_betas?: string[];
  allowed_server_tools?: string[];
}

export const allowedBetas = (p: FeatureLists): readonly string[] => p.allowed_betas ?? DEFAULT_ALLOWED_BETAS;
export const allowedServerTools = (p: FeatureLists): readonly string[] => p.allowed_server_tools ?? DEFAULT_ALLOWED_SERVER_TOOLS;

/**
 * Whether `name` is on `list`: the exact name, its family without the version date
 * (`web_search` covers `web_search_20250305`), or `*` for anything.
 */
export function featureListed(name: string, list: readonly string[]): boolean {
  const family = name.replace(/_\d{8}$/, '');
  return list.some((entry) => entry === '*' || entry === name || entry === family);
}
