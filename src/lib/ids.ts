/** Request ids: sortable by time, unique enough for logs and ledger rows. */
export function requestId(): string {
  return 'req_' + Date.now().toString(36) + crypto.randomUUID().replace(/-/g, '').slice(0, 16);
}

export function completionId(): string {
  return 'chatcmpl-' + crypto.randomUUID().replace(/-/g, '').slice(0, 24);
}

export function messageId(): string {
  return 'msg_' + crypto.randomUUID().replace(/-/g, '').slice(0, 24);
}

export function toolCallId(): string {
  return 'call_' + crypto.randomUUID().replace(/-/g, '').slice(0, 24);
}
