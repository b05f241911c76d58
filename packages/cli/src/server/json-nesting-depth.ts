/** Deepest JSON nesting a request body may have (objects and arrays). Real requests stay far below it. */
export const MAX_JSON_DEPTH = 128;

/**
 * The deepest `{`/`[` nesting in a JSON text, stopping as soon as it passes `limit` (strings and escapes skipped), in
 * one linear pass without recursion. Checked before `JSON.parse` and before any recursive validation, so a body nested
 * 100 000 levels deep is refused instead of overflowing the stack.
 */
export function jsonNestingDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}
