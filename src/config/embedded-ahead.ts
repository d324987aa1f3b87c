/**
 * The embedded gateway.config.yaml parsed ahead of time: imported as a macro (`with { type:
 * 'macro' }`), so the bundler runs this and inlines the result, and a start with the embedded
 * defaults needs no YAML parsing (see parseAhead in load.ts). The options are readDocument's.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { protectRefs } from './env.ts';
import type { ParsedAhead } from './load.ts';

export function embeddedConfigAhead(): ParsedAhead {
  const text = readFileSync(resolve(import.meta.dir, '../../gateway.config.yaml'), 'utf8');
  const { text: protectedText, refs } = protectRefs(text);
  const doc = parseDocument(protectedText, { lineCounter: new LineCounter(), prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) throw new Error(`gateway.config.yaml: ${doc.errors[0]!.message}`);
  return { value: doc.toJS() as Record<string, unknown>, refs };
}
