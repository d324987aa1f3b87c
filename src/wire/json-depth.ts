import { z } from 'zod';

/** Deeper than any real tool schema or response format; JSON.stringify overflows near 10,000. */
export const MAX_JSON_DEPTH = 64;
/** The path an error names: enough to find the field (`tools[0].function.parameters…`). */
const NAMED_SEGMENTS = 6;

interface Frame {
  value: unknown;
  depth: number;
  key: PropertyKey;
  parent?: Frame;
}

/**
 * The path of the first value nested deeper than `max` objects and arrays, or undefined. The
 * walk keeps its own stack, so a body nested 100,000 deep costs time, never the call stack.
 */
export function tooDeep(root: unknown, max = MAX_JSON_DEPTH): PropertyKey[] | undefined {
  const stack: Frame[] = [{ value: root, depth: 0, key: '' }];
  while (stack.length) {
    const f = stack.pop()!;
    if (f.value === null || typeof f.value !== 'object') continue;
    if (f.depth > max) return pathOf(f);
    if (Array.isArray(f.value)) for (let i = f.value.length - 1; i >= 0; i--) stack.push({ value: f.value[i], depth: f.depth + 1, key: i, parent: f });
    else for (const [k, v] of Object.entries(f.value)) stack.push({ value: v, depth: f.depth + 1, key: k, parent: f });
  }
  return undefined;
}

function pathOf(f: Frame): PropertyKey[] {
  const path: PropertyKey[] = [];
  for (let at: Frame | undefined = f; at?.parent; at = at.parent) path.push(at.key);
  return path.reverse().slice(0, NAMED_SEGMENTS);
}

/**
 * `schema`, after a depth check that runs before it (and so before anything recursive sees the
 * body): a 400 naming the field instead of a stack overflow in JSON.stringify later on.
 */
export function depthLimited<S extends z.ZodType>(schema: S, max = MAX_JSON_DEPTH) {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      const path = tooDeep(value, max);
      if (path) ctx.addIssue({ code: 'custom', message: `nested deeper than ${max} levels of objects and arrays`, path });
    })
    .pipe(schema);
}
