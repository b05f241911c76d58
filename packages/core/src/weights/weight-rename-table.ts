/**
 * Maps checkpoint tensor names to the names a model's modules ask for. Rules apply in order; the first rule
 * that matches wins, and a name no rule matches keeps its checkpoint name.
 *
 * - `[prefix, replacement]` with a string: a name starting with `prefix` has that prefix replaced.
 * - `[regexp, replacement]`: `name.replace(regexp, replacement)` (`$1`… refer to groups) when `regexp` matches.
 *
 * @example
 * ```ts
 * const rename: WeightRenameTable = [
 *   ['model.language_model.', 'text.'],
 *   [/^model\.layers\.(\d+)\.self_attn\./, 'layers.$1.attn.'],
 * ];
 * ```
 */
export type WeightRenameTable = ReadonlyArray<readonly [from: string | RegExp, to: string]>;

/** Applies a {@link WeightRenameTable} to one checkpoint name. */
export function renameWeight(name: string, table: WeightRenameTable): string {
  for (const [from, to] of table) {
    if (typeof from === 'string') {
      if (name.startsWith(from)) return to + name.slice(from.length);
    } else {
      from.lastIndex = 0;
      if (from.test(name)) {
        from.lastIndex = 0;
        return name.replace(from, to);
      }
    }
  }
  return name;
}

/**
 * True when `name` matches one of `patterns`: a string matches names that start with it (so
 * `model.layers.3.` covers a whole layer; include the final dot), a RegExp matches by `test`.
 */
export function matchesWeightPattern(name: string, patterns: ReadonlyArray<string | RegExp>): boolean {
  for (const pattern of patterns) {
    if (typeof pattern === 'string') {
      if (name.startsWith(pattern)) return true;
    } else {
      pattern.lastIndex = 0;
      if (pattern.test(name)) return true;
    }
  }
  return false;
}
