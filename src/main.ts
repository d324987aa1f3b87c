#!/usr/bin/env bun
import { runCli } from './cli/index.ts';

const code = await runCli(process.argv.slice(2));
process.exitCode = code;
// A command that failed half-way (a port in use after the database and policy watchers were
// opened) must not be kept alive by what it left behind.
if (code !== 0) process.exit(code);
