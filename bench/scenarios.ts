/** What is measured: the mock's modes (by model name) and the cases every contender runs. */
export const INSTANT = 'bench';
export const LATENCY = 'bench-latency-60';
export const PACED = 'bench-latency-60-gap-5';
export const BENCH_MODELS = [INSTANT, LATENCY, PACED];

export interface Scenario {
  id: string;
  stream: boolean;
  c: number;
  model: string;
  /** Part of the main table (instant upstream); the others are the realistic-latency cases. */
  main: boolean;
}

const instant = (stream: boolean, c: number): Scenario => ({ id: `${stream ? 'stream' : 'json'}-c${c}`, stream, c, model: INSTANT, main: true });

export const SCENARIOS: Scenario[] = [
  ...[1, 10, 64].map((c) => instant(false, c)),
  ...[1, 10, 64].map((c) => instant(true, c)),
  // 64 requests held in flight by a 60 ms upstream: memory and tail latency at realistic concurrency.
  { id: 'json-60ms-c64', stream: false, c: 64, model: LATENCY, main: false },
  // 64 paced streams (60 ms to the first chunk, then one every 5 ms): whether chunks are merged or delayed.
  { id: 'stream-paced-c64', stream: true, c: 64, model: PACED, main: false },
];
