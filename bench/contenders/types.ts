/** What the runner needs to know about one contender. */
export interface Ctx {
  /** The repository root. */
  root: string;
  /** bench/.work: installs and run directories, gitignored. */
  work: string;
  /** host:port of the shared mock upstream. */
  upstreamHost: string;
  /** The Bun that runs the bench. */
  bun: string;
  cores: number;
}

export interface Launch {
  cmd: string[];
  /** Headers for this trial's requests, when they differ from the contender's (a fresh key). */
  headers?: Record<string, string>;
  env?: Record<string, string>;
  cwd?: string;
}

export interface Contender {
  name: string;
  /** One line for the report: what runs and how it is configured. */
  describe: string;
  version: string;
  /** Request path of chat completions. */
  path: string;
  headers: Record<string, string>;
  /** A fresh process for one trial, on `port`, with its files in `dir` (fresh each trial). */
  launch(port: number, dir: string): Promise<Launch>;
  /** After a trial (process stopped): checks the configuration did what it says; a note for the report, or an error. */
  verify?(dir: string, requests: number): string;
}

export interface Unavailable {
  name: string;
  unavailable: string;
}
