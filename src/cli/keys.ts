import { Command } from 'commander';
import { sha256Hex } from '../lib/hash.ts';

/** `tollgate keys hash` — makes a client key and the hash to put in config. */
export function keysCommand(): Command {
  const cmd = new Command('keys').description('Client (virtual) keys');
  cmd
    .command('hash')
    .description('Print a new random key and its sha256 hash for the `keys:` list in config')
    .option('--key <key>', 'hash this key instead of making a new one (visible in your shell history)')
    .action((opts: { key?: string }) => {
      const key = opts.key ?? 'tg-' + Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url');
      console.log(`key:  ${key}   (shown once; give it to the client)`);
      console.log(`hash: sha256:${sha256Hex(key)}`);
    });
  return cmd;
}
