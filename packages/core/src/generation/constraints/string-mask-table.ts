import { LEX_CHAR, LEX_EXIT, STRING_LEX_STATES, stringLexTable } from './string-lexer.js';
import { buildTokenTrie, type TokenTrie } from './token-trie.js';

/**
 * What follows a string's end inside tokens: the byte suffixes after a `"` (JSON strings close on it) and from a `<`
 * (raw text ends before it), as a trie, so the part of a token after the string is checked once per distinct suffix
 * and parse state rather than once per token.
 */
export interface ExitSuffixes {
  readonly trie: TokenTrie;
  /** Trie node of the suffix of `token` from byte `offset` (key `token * 65536 + offset`); absent when empty. */
  readonly nodeOf: ReadonlyMap<number, number>;
}

/** Builds the {@link ExitSuffixes} of a vocabulary's token bytes. */
export function buildExitSuffixes(bytes: readonly (Uint8Array | undefined)[]): ExitSuffixes {
  const suffixes: Uint8Array[] = [];
  const index = new Map<string, number>();
  const keys: number[] = [];
  const slots: number[] = [];
  bytes.forEach((token, id) => {
    if (!token) return;
    for (let i = 0; i < token.length; i++) {
      const from = token[i] === 0x22 ? i + 1 : token[i] === 0x3c ? i : -1;
      if (from < 0 || from >= token.length || from >= 65536) continue;
      const suffix = token.subarray(from);
      const text = String.fromCharCode(...suffix);
      let slot = index.get(text);
      if (slot === undefined) {
        slot = suffixes.length;
        index.set(text, slot);
        suffixes.push(suffix);
      }
      keys.push(id * 65536 + from);
      slots.push(slot);
    }
  });
  const trie = buildTokenTrie(suffixes);
  const nodeOfSlot = new Int32Array(suffixes.length);
  for (let n = 0; n + 1 < trie.tokenStart.length; n++) for (let t = trie.tokenStart[n]; t < trie.tokenStart[n + 1]; t++) nodeOfSlot[trie.tokenIds[t]] = n;
  const nodeOf = new Map<number, number>();
  keys.forEach((key, i) => nodeOf.set(key, nodeOfSlot[slots[i]]));
  return { trie, nodeOf };
}

/**
 * The tokens one lexical state of plain string content accepts (see `StringLex`), whatever the string's counters and
 * whatever follows it: the tokens that stay inside the string with their character counts, and the tokens that end
 * it, with the characters before the end and the {@link ExitSuffixes} node of what comes after. A parse state's mask
 * is assembled from this with its length limits and the suffixes its enclosing value accepts.
 */
export interface StringMaskTable {
  /** Tokens staying inside the string, by ascending character count (`insideChars`). */
  readonly insideIds: Int32Array;
  readonly insideChars: Int32Array;
  /** Every other token id, ascending; kept only when most tokens stay inside (for masks stored as denied ids). */
  readonly outsideIds: Int32Array | undefined;
  /** Tokens ending the string, the characters before the end, and the suffix node after it (-1: nothing after). */
  readonly exitIds: Int32Array;
  readonly exitChars: Int32Array;
  readonly exitSuffix: Int32Array;
}

/** The {@link StringMaskTable} of every lexical state of JSON (`json`) and raw (`raw`) string content. */
export function buildStringMaskTables(trie: TokenTrie, size: number, exits: ExitSuffixes): { json: StringMaskTable[]; raw: StringMaskTable[] } {
  const build = (raw: boolean) => Array.from({ length: STRING_LEX_STATES }, (_, state) => buildStringMaskTable(trie, size, exits, raw, state));
  return { json: build(false), raw: build(true) };
}

/** The {@link StringMaskTable} of one lexical `state` of JSON (`raw` false) or raw string content: one trie walk. */
export function buildStringMaskTable(trie: TokenTrie, size: number, exits: ExitSuffixes, raw: boolean, state: number): StringMaskTable {
  return classify(trie, size, exits, stringLexTable(raw), state, raw);
}

/** Walks the trie from `start` with the lexer `table`, sorting tokens into inside / ending / rejected. */
function classify(trie: TokenTrie, size: number, exits: ExitSuffixes, table: Int16Array, start: number, raw: boolean): StringMaskTable {
  const { edgeStart, edgeByte, edgeNode, tokenStart, tokenIds, subtreeEnd } = trie;
  const inside: number[] = [];
  const insideChars: number[] = [];
  const exitIds: number[] = [];
  const exitChars: number[] = [];
  const exitSuffix: number[] = [];
  const visit = (node: number, state: number, chars: number, depth: number): void => {
    for (let e = edgeStart[node]; e < edgeStart[node + 1]; e++) {
      const r = table[state * 256 + edgeByte[e]];
      if (r === -1) continue;
      const child = edgeNode[e];
      if (r === LEX_EXIT) {
        const from = raw ? depth : depth + 1;
        for (let t = tokenStart[child]; t < tokenStart[subtreeEnd[child]]; t++) {
          const id = tokenIds[t];
          exitIds.push(id);
          exitChars.push(chars);
          exitSuffix.push(exits.nodeOf.get(id * 65536 + from) ?? -1);
        }
        continue;
      }
      const next = chars + (r & LEX_CHAR ? 1 : 0);
      for (let t = tokenStart[child]; t < tokenStart[child + 1]; t++) {
        inside.push(tokenIds[t]);
        insideChars.push(next);
      }
      if (edgeStart[child + 1] > edgeStart[child]) visit(child, r & ~LEX_CHAR, next, depth + 1);
    }
  };
  visit(0, start, 0, 0);
  const order = inside.map((_, i) => i).sort((a, b) => insideChars[a] - insideChars[b]);
  let outsideIds: Int32Array | undefined;
  if (inside.length * 2 > size) {
    const isInside = new Uint8Array(size);
    for (const id of inside) isInside[id] = 1;
    outsideIds = new Int32Array(size - inside.length);
    let o = 0;
    for (let id = 0; id < size; id++) if (!isInside[id]) outsideIds[o++] = id;
  }
  return {
    insideIds: Int32Array.from(order, (i) => inside[i]),
    insideChars: Int32Array.from(order, (i) => insideChars[i]),
    outsideIds,
    exitIds: Int32Array.from(exitIds),
    exitChars: Int32Array.from(exitChars),
    exitSuffix: Int32Array.from(exitSuffix),
  };
}
