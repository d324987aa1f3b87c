/**
 * Decodes a value as OPA's wasm runtime dumps it (opa_value_dump: JSON plus Rego's set literals
 * `{a, b}` / `set()`, non-string object keys and number literals such as `.5`) into JSON-shaped
 * JS values the way OPA's Go runtime serialises them: sets become arrays sorted in OPA's value
 * order (ast.Compare), non-string keys become their Rego text, numbers become JS numbers.
 * An integer that a JS number cannot hold exactly (beyond 2^53) is refused with an error naming
 * it, or kept as an `ExactNumber` when asked (the conformance runner compares digits).
 */

/** A number kept digit for digit (JSON syntax) because a JS number would round it. */
export class ExactNumber {
  constructor(readonly text: string) {}
  toJSON(): string {
    return this.text; // re-encoded by encodeExactJson; JSON.stringify would quote it
  }
}

export type BigNumbers = 'refuse' | 'keep';

type Node =
  | { t: 0 } // null
  | { t: 1; v: boolean }
  | { t: 2; text: string }
  | { t: 3; v: string }
  | { t: 6; items: Node[] }
  | { t: 7; entries: [Node, Node][] }
  | { t: 8; items: Node[] };

const ANY_LONG_DIGIT_RUN = /\d{16}/;

/** Decodes dump text; the common case (plain JSON, no 16-digit run) is JSON.parse alone. */
export function decodeOpaValue(text: string, bigNumbers: BigNumbers = 'refuse'): unknown {
  if (!ANY_LONG_DIGIT_RUN.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      // sets, non-string keys or Rego number forms: parse it ourselves
    }
  }
  const p = new Parser(text);
  const node = p.value();
  p.end();
  return toJs(node, bigNumbers);
}

/**
 * Decodes an evaluation's result set, which opa_eval dumps as a set of result objects
 * (`{{"result": …}}`): the common case (one plain-JSON result) is a JSON.parse of it as an array.
 */
export function decodeResultSet(text: string, bigNumbers: BigNumbers = 'refuse'): unknown {
  if (text === 'set()') return [];
  if (text.startsWith('{{') && text.endsWith('}}') && !ANY_LONG_DIGIT_RUN.test(text)) {
    try {
      const rs: unknown = JSON.parse(`[${text.slice(1, -1)}]`);
      if (Array.isArray(rs) && rs.length <= 1) return rs;
    } catch {
      // sets, non-string keys or Rego number forms inside: parse it ourselves
    }
  }
  return decodeOpaValue(text, bigNumbers);
}

class Parser {
  pos = 0;
  constructor(readonly s: string) {}

  private fail(what: string): never {
    throw new Error(`cannot decode the policy's result at offset ${this.pos}: ${what}`);
  }
  private ws(): void {
    while (this.pos < this.s.length && ' \t\n\r'.includes(this.s[this.pos] as string)) this.pos++;
  }
  private eat(c: string): boolean {
    this.ws();
    if (this.s[this.pos] === c) {
      this.pos++;
      return true;
    }
    return false;
  }
  end(): void {
    this.ws();
    if (this.pos !== this.s.length) this.fail('trailing characters');
  }

  value(): Node {
    this.ws();
    const c = this.s[this.pos];
    if (c === '"') return { t: 3, v: this.string() };
    if (c === '[') return { t: 6, items: this.list(']') };
    if (c === '{') return this.objectOrSet();
    if (this.s.startsWith('null', this.pos)) return (this.pos += 4), { t: 0 };
    if (this.s.startsWith('true', this.pos)) return (this.pos += 4), { t: 1, v: true };
    if (this.s.startsWith('false', this.pos)) return (this.pos += 5), { t: 1, v: false };
    if (this.s.startsWith('set()', this.pos)) return (this.pos += 5), { t: 8, items: [] };
    const m = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(this.s.slice(this.pos, this.pos + 400));
    if (!m) this.fail('unexpected character');
    this.pos += m[0].length;
    return { t: 2, text: m[0] };
  }

  private string(): string {
    const start = this.pos;
    this.pos++;
    while (this.pos < this.s.length) {
      const c = this.s[this.pos];
      if (c === '\\') this.pos += 2;
      else if (c === '"') {
        this.pos++;
        return JSON.parse(this.s.slice(start, this.pos)) as string;
      } else this.pos++;
    }
    return this.fail('unterminated string');
  }

  private list(close: string): Node[] {
    this.pos++;
    const items: Node[] = [];
    if (this.eat(close)) return items;
    do items.push(this.value());
    while (this.eat(','));
    if (!this.eat(close)) this.fail(`expected ${close}`);
    return items;
  }

  private objectOrSet(): Node {
    this.pos++;
    if (this.eat('}')) return { t: 7, entries: [] };
    const first = this.value();
    if (!this.eat(':')) {
      const items = [first];
      while (this.eat(',')) items.push(this.value());
      if (!this.eat('}')) this.fail('expected }');
      return { t: 8, items };
    }
    const entries: [Node, Node][] = [[first, this.value()]];
    while (this.eat(',')) {
      const k = this.value();
      if (!this.eat(':')) this.fail('expected :');
      entries.push([k, this.value()]);
    }
    if (!this.eat('}')) this.fail('expected }');
    return { t: 7, entries };
  }
}

/** A number literal in JSON syntax (".5" → "0.5", "+1" → "1", "007" → "7"). */
export function canonicalNumber(text: string): string {
  const m = /^([-+]?)(\d*)(?:\.(\d*))?([eE][-+]?\d+)?$/.exec(text);
  if (!m) return text;
  const whole = (m[2] ?? '').replace(/^0+(?=\d)/, '') || '0';
  return `${m[1] === '-' ? '-' : ''}${whole}${m[3] ? `.${m[3]}` : ''}${m[4] ?? ''}`;
}

function numberOf(text: string, bigNumbers: BigNumbers): number | ExactNumber {
  const canonical = canonicalNumber(text);
  const n = Number(canonical);
  if (/^-?\d+$/.test(canonical) && !Number.isSafeInteger(n)) {
    if (bigNumbers === 'keep') return new ExactNumber(canonical);
    throw new Error(`the policy's result holds the integer ${canonical}, which JavaScript cannot represent exactly`);
  }
  return n;
}

/** A non-string object key as OPA's Go JSON serialisation writes it: the key's compact JSON text. */
const keyText = (node: Node, bigNumbers: BigNumbers): string => encodeExactJson(toJs(node, bigNumbers));

function toJs(node: Node, bigNumbers: BigNumbers): unknown {
  switch (node.t) {
    case 0:
      return null;
    case 1:
      return node.v;
    case 2:
      return numberOf(node.text, bigNumbers);
    case 3:
      return node.v;
    case 6:
      return node.items.map((n) => toJs(n, bigNumbers));
    case 8:
      return sortedItems(node).map((n) => toJs(n, bigNumbers));
    case 7: {
      const out: Record<string, unknown> = {};
      for (const [k, v] of node.entries) out[k.t === 3 ? k.v : keyText(k, bigNumbers)] = toJs(v, bigNumbers);
      return out;
    }
  }
}

const sortedItems = (n: { items: Node[] }): Node[] => [...n.items].sort(compareNodes);
const sortedEntries = (n: { entries: [Node, Node][] }): [Node, Node][] => [...n.entries].sort((a, b) => compareNodes(a[0], b[0]));

/** Go compares strings by UTF-8 bytes, i.e. by code point; JS's < compares UTF-16 units. */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

function compareNumbers(a: string, b: string): number {
  const x = Number(canonicalNumber(a));
  const y = Number(canonicalNumber(b));
  if (x !== y) return x < y ? -1 : 1;
  const ia = canonicalNumber(a);
  const ib = canonicalNumber(b);
  if (/^-?\d+$/.test(ia) && /^-?\d+$/.test(ib)) {
    const d = BigInt(ia) - BigInt(ib);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  }
  return 0;
}

function compareLists(a: Node[], b: Node[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareNodes(a[i] as Node, b[i] as Node);
    if (c !== 0) return c;
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

/** OPA's ast.Compare: null < booleans < numbers < strings < arrays < objects < sets. */
export function compareNodes(a: Node, b: Node): number {
  if (a.t !== b.t) return a.t < b.t ? -1 : 1;
  switch (a.t) {
    case 0:
      return 0;
    case 1:
      return a.v === (b as typeof a).v ? 0 : a.v ? 1 : -1;
    case 2:
      return compareNumbers(a.text, (b as typeof a).text);
    case 3:
      return compareStrings(a.v, (b as typeof a).v);
    case 6:
      return compareLists(a.items, (b as typeof a).items);
    case 8:
      return compareLists(sortedItems(a), sortedItems(b as typeof a));
    case 7: {
      const x = sortedEntries(a);
      const y = sortedEntries(b as typeof a);
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const [xk, xv] = x[i] as [Node, Node];
        const [yk, yv] = y[i] as [Node, Node];
        const c = compareNodes(xk, yk) || compareNodes(xv, yv);
        if (c !== 0) return c;
      }
      return x.length - y.length < 0 ? -1 : x.length === y.length ? 0 : 1;
    }
  }
}

/** JSON text of a decoded value, writing ExactNumbers digit for digit. */
export function encodeExactJson(v: unknown): string {
  if (v instanceof ExactNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(encodeExactJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${encodeExactJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
