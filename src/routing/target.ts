/** One place to send a request: a configured provider and its upstream model id. */
export interface Target {
  provider: string;
  model: string;
}

/** What happened on one try, for headers, logs and the ledger. */
export interface Attempt {
  provider: string;
  model: string;
  status: number | 'network_error' | 'timeout';
  ms: number;
  error?: string;
}
