/**
 * A TEST DEVICE, not a language model: the mock provider's `mock/embedding-words` embedding, a
 * bag of words that is just meaningful enough to test a semantic cache deterministically.
 * Words are lower-cased, filler words dropped, a plural `s` cut, a small synonym table folds
 * paraphrases onto one word, and each word is hashed into one of WORDS_DIMS dimensions; the facts
 * a real model also tells apart (numbers, negations, names: a capital letter inside a sentence)
 * weigh 3 so one of them changes a long sentence too; each pair of neighbouring words adds a
 * dimension of its own (word order); the vector is normalised. So "How do I reset my password?" and "how can i change my passcode"
 * are one point, while "... 3 apples" and "... 4 apples", "Paris" and "Rome", or a "not" make a
 * different word and a visibly lower similarity. Real embedding models are judged with their
 * own test set (test/cache/semantic-set.ts shows how).
 */
export const WORDS_DIMS = 512;

const FILLER = new Set(
  'a an the i me my we our you your is are was were be been am do does did can could would will shall should may might please tell to of in on at for with about how what which who whom whose me hi hello hey just kindly give show explain quick quickly question and there it possible into that this'.split(' '),
);

const SYNONYMS: Record<string, string> = {
  change: 'reset',
  passcode: 'password',
  pwd: 'password',
  login: 'password',
  biggest: 'largest',
  greatest: 'largest',
  big: 'large',
  huge: 'large',
  purchase: 'buy',
  acquire: 'buy',
  cost: 'price',
  costs: 'price',
  priced: 'price',
  fix: 'repair',
  mend: 'repair',
  film: 'movie',
  movies: 'movie',
  automobile: 'car',
  vehicle: 'car',
  begin: 'start',
  commence: 'start',
  finish: 'end',
  conclude: 'end',
  sum: 'plus',
  summarise: 'summarize',
  summary: 'summarize',
  add: 'plus',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  ten: '10',
  dont: 'not',
  "don't": 'not',
  doesnt: 'not',
  "doesn't": 'not',
  isnt: 'not',
  "isn't": 'not',
  never: 'not',
  no: 'not',
};

/** The embedding of `text`: WORDS_DIMS floats, unit length (all zero for a text of filler only). */
export function wordsEmbedding(text: string): number[] {
  const v = new Array<number>(WORDS_DIMS).fill(0);
  let end = -1;
  let previous: string | undefined;
  for (const m of text.matchAll(/[\p{L}\p{N}']+/gu)) {
    // A sentence starts at the first word and after . ? ! or : between two words.
    const starts = end < 0 || /[.?!:]/.test(text.slice(end, m.index));
    end = m.index + m[0].length;
    const raw = m[0].toLowerCase();
    if (FILLER.has(raw)) continue;
    const name = !starts && /^\p{Lu}/u.test(m[0]);
    // Names are not stemmed: "Aliens" is not "Alien".
    const w = SYNONYMS[raw] ?? (name ? raw : stem(raw));
    const word = SYNONYMS[w] ?? w;
    v[slot(word)]! += name || isFact(word) ? 3 : 1;
    // Word pairs in order, so "from savings to checking" is not "from checking to savings".
    if (previous !== undefined) v[slot(`${previous} ${word}`)]! += 1;
    previous = word;
  }
  const norm = Math.hypot(...v);
  return norm ? v.map((x) => x / norm) : v;
}

/** A number or a negation. */
const isFact = (word: string) => word === 'not' || /\p{N}/u.test(word);

const stem = (w: string) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w);

/** FNV-1a of the word, modulo the dimensions. */
function slot(w: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 0x01000193);
  return (h >>> 0) % WORDS_DIMS;
}
