/**
 * The semantic cache's test set: a cached question and a later one in the same context.
 * `hit` pairs are paraphrases (the cached answer is right for the later question); `miss` pairs
 * differ in one fact — a number, a name, a negation, a unit, a direction — so the cached answer
 * would be wrong. Run against the mock's bag-of-words embedding in semantic-set.test.ts; the same
 * set can be run against a real embedding model to choose a threshold.
 */
export interface SemanticCase {
  cached: string;
  asked: string;
  expect: 'hit' | 'miss';
  /** What makes a miss a miss. */
  differs?: 'number' | 'name' | 'negation' | 'other';
}

export const SEMANTIC_SET: SemanticCase[] = [
  // Paraphrases: word order, filler, plural, synonyms, case and punctuation.
  { cached: 'How do I reset my password?', asked: 'how can i change my passcode', expect: 'hit' },
  { cached: 'What is the capital of France?', asked: 'Tell me the capital of France, please.', expect: 'hit' },
  { cached: 'What is the largest city in Japan?', asked: 'Which is the biggest city in Japan?', expect: 'hit' },
  { cached: 'How much does a ticket to the museum cost?', asked: 'What is the price of a museum ticket?', expect: 'hit' },
  { cached: 'Summarize the plot of the movie Alien.', asked: 'Give me a summary of the plot of the film Alien', expect: 'hit' },
  { cached: 'How do I fix a flat bicycle tire?', asked: 'how to repair a flat bicycle tire', expect: 'hit' },
  { cached: 'What is 12 plus 30?', asked: 'what is the sum of 12 and 30', expect: 'hit' },
  { cached: 'Can I buy a car with bitcoin?', asked: 'Is it possible to purchase a vehicle with bitcoin?', expect: 'hit' },
  { cached: 'When does the meeting start?', asked: 'When will the meeting begin?', expect: 'hit' },
  { cached: 'Explain how photosynthesis works', asked: 'Please explain how photosynthesis works.', expect: 'hit' },
  { cached: 'List three uses of copper', asked: 'List 3 uses of copper', expect: 'hit' },
  { cached: 'Translate good morning into Spanish', asked: 'translate "good morning" into Spanish', expect: 'hit' },
  { cached: 'Why is the sky blue?', asked: 'why is the sky blue', expect: 'hit' },
  { cached: 'What are the opening hours of the library on Sunday?', asked: 'What are the library opening hours on Sunday?', expect: 'hit' },
  { cached: 'How do I end a subscription?', asked: 'How can I finish my subscription', expect: 'hit' },
  { cached: 'Write a haiku about autumn leaves', asked: 'write a haiku about autumn leaves please', expect: 'hit' },
  { cached: 'Is coffee bad for your heart?', asked: 'is coffee bad for the heart', expect: 'hit' },
  { cached: 'Recommend a movie like Inception', asked: 'Recommend a film like Inception', expect: 'hit' },
  { cached: 'How many planets are in the solar system?', asked: 'How many planets are there in the solar system?', expect: 'hit' },
  { cached: 'Convert 5 miles to kilometers', asked: 'convert 5 miles into kilometers', expect: 'hit' },
  { cached: 'What should I pack for a week of hiking in the Alps in July, given that I sleep in huts?', asked: 'What should I pack for a week of hiking in the Alps in July given I sleep in huts', expect: 'hit' },

  // One fact apart: the cached answer would be wrong.
  { cached: 'What is 12 plus 30?', asked: 'What is 12 plus 31?', expect: 'miss', differs: 'number' },
  { cached: 'Convert 5 miles to kilometers', asked: 'Convert 50 miles to kilometers', expect: 'miss', differs: 'number' },
  { cached: 'What is the capital of France?', asked: 'What is the capital of Spain?', expect: 'miss', differs: 'name' },
  { cached: 'What is the largest city in Japan?', asked: 'What is the largest city in China?', expect: 'miss', differs: 'name' },
  { cached: 'Summarize the plot of the movie Alien.', asked: 'Summarize the plot of the movie Aliens.', expect: 'miss', differs: 'name' },
  { cached: 'Is coffee bad for your heart?', asked: 'Is coffee not bad for your heart?', expect: 'miss', differs: 'negation' },
  { cached: 'Should I restart the server?', asked: "Should I not restart the server?", expect: 'miss', differs: 'negation' },
  { cached: 'My order arrived damaged, what do I do?', asked: "My order never arrived, what do I do?", expect: 'miss', differs: 'negation' },
  { cached: 'How many planets are in the solar system?', asked: 'How many moons are in the solar system?', expect: 'miss', differs: 'other' },
  { cached: 'Translate good morning into Spanish', asked: 'Translate good morning into Italian', expect: 'miss', differs: 'name' },
  { cached: 'Recommend a movie like Inception', asked: 'Recommend a movie like Interstellar', expect: 'miss', differs: 'name' },
  { cached: 'What are the opening hours of the library on Sunday?', asked: 'What are the opening hours of the library on Monday?', expect: 'miss', differs: 'name' },
  { cached: 'What should I pack for a week of hiking in the Alps in July, given that I sleep in huts?', asked: 'What should I pack for a week of hiking in the Alps in January, given that I sleep in huts?', expect: 'miss', differs: 'name' },
  { cached: 'What should I pack for a week of hiking in the Alps in July, given that I sleep in huts?', asked: 'What should I pack for 3 weeks of hiking in the Alps in July, given that I sleep in huts?', expect: 'miss', differs: 'number' },
  { cached: 'Write a haiku about autumn leaves', asked: 'Write a limerick about autumn leaves', expect: 'miss', differs: 'other' },
  { cached: 'Is it safe to take ibuprofen with 200 mg of aspirin?', asked: 'Is it safe to take ibuprofen with 800 mg of aspirin?', expect: 'miss', differs: 'number' },
  { cached: 'Transfer 100 dollars from savings to checking', asked: 'Transfer 1000 dollars from savings to checking', expect: 'miss', differs: 'number' },
  { cached: 'Transfer 100 dollars from savings to checking', asked: 'Transfer 100 dollars from checking to savings', expect: 'miss', differs: 'other' },
  { cached: 'The tests pass on Linux; why do they fail on macOS?', asked: 'The tests pass on macOS; why do they fail on Linux?', expect: 'miss', differs: 'other' },
];

export interface Scores {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  trueNegatives: number;
  precision: number;
  recall: number;
  /** The cases that went the wrong way, for the report. */
  wrong: (SemanticCase & { similarity?: number })[];
}

/** Precision and recall of hit decisions over the set (precision 1 when nothing hit). */
export function score(results: { c: SemanticCase; hit: boolean; similarity?: number }[]): Scores {
  const count = (e: SemanticCase['expect'], hit: boolean) => results.filter((r) => r.c.expect === e && r.hit === hit).length;
  const tp = count('hit', true);
  const fp = count('miss', true);
  const fn = count('hit', false);
  return {
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    trueNegatives: count('miss', false),
    precision: tp + fp ? tp / (tp + fp) : 1,
    recall: tp + fn ? tp / (tp + fn) : 1,
    wrong: results.filter((r) => (r.c.expect === 'hit') !== r.hit).map((r) => ({ ...r.c, similarity: r.similarity })),
  };
}
