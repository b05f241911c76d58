import { type MatchState, pop, type Stack, stepState, type StringFrame } from './json-matcher.js';
import { LEX_CHAR, LEX_EXIT, stringLexState, stringLexTable } from './string-lexer.js';
import type { TokenVocabulary } from './token-vocabulary.js';

/**
 * Walks a vocabulary's byte trie with the matcher, pruning every subtree whose prefix the grammar rejects, to find the
 * tokens a parse state accepts. Below a byte that leaves a single stack inside a string (or inside a string format),
 * the walk goes on with the string's lexer — a table look-up (or the format's DFA step) per byte instead of the
 * allocating matcher — and returns to the matcher where the string ends.
 */
export class TrieWalker {
  constructor(private readonly vocabulary: TokenVocabulary) {}

  /**
   * Depth-first walk of the trie below `node` with the matcher, writing the tokens whose bytes are accepted into
   * `allowed` from `count` on; returns the new count. Below a byte that leaves a single stack inside a string, the
   * string's lexer takes over ({@link TrieWalker.walkString}).
   */
  walk(node: number, state: MatchState, allowed: Int32Array, count: number): number {
    const { edgeStart, edgeByte, edgeNode, tokenStart, tokenIds } = this.vocabulary.trie;
    for (let e = edgeStart[node]; e < edgeStart[node + 1]; e++) {
      const next = stepState(state, edgeByte[e]);
      if (next.length === 0) continue;
      const child = edgeNode[e];
      for (let t = tokenStart[child]; t < tokenStart[child + 1]; t++) allowed[count++] = tokenIds[t];
      if (edgeStart[child + 1] === edgeStart[child]) continue;
      const only = next.length === 1 ? next[0] : null;
      count = only && only.f.k === 2 && only.f.m >= 1 ? this.walkString(child, only, allowed, count) : this.walk(child, next, allowed, count);
    }
    return count;
  }

  /**
   * The walk below `node` for a single stack inside a string's content: one lexer-table (or format DFA) look-up per
   * byte, with the string's length limits; where the string ends, the matcher walks on from the enclosing stack.
   */
  walkString(node: number, stack: Stack, allowed: Int32Array, count: number): number {
    const { edgeStart, edgeByte, edgeNode, tokenStart, tokenIds } = this.vocabulary.trie;
    const frame = stack.f as StringFrame;
    const { format, raw, minLength, maxLength } = frame.n;
    const lexer = format ? undefined : stringLexTable(raw === true);
    const end = raw ? 0x3c : 0x22;
    let popped: (Stack | null)[] | undefined;
    const visit = (node: number, lex: number, chars: number): void => {
      for (let e = edgeStart[node]; e < edgeStart[node + 1]; e++) {
        const b = edgeByte[e];
        const child = edgeNode[e];
        let next = -1;
        let nextChars = chars;
        if (format) {
          if (b === end) {
            if (!format.accepting(lex)) continue;
          } else if ((next = format.step(lex, b)) < 0) continue;
        } else {
          const r = lexer![lex * 256 + b];
          if (r === -1) continue;
          if (r === LEX_EXIT) {
            if (chars < minLength) continue;
          } else {
            if (r & LEX_CHAR) {
              if (chars >= maxLength) continue;
              nextChars++;
            }
            next = r & ~LEX_CHAR;
          }
        }
        if (next < 0) {
          // The string ends at this byte: the enclosing stack takes it (raw text) or what follows it (JSON).
          if (!popped) pop(stack.up, (popped = []));
          const after = raw ? stepState(popped, b) : popped;
          if (after.length === 0) continue;
          for (let t = tokenStart[child]; t < tokenStart[child + 1]; t++) allowed[count++] = tokenIds[t];
          if (edgeStart[child + 1] > edgeStart[child]) count = this.walk(child, after, allowed, count);
          continue;
        }
        for (let t = tokenStart[child]; t < tokenStart[child + 1]; t++) allowed[count++] = tokenIds[t];
        if (edgeStart[child + 1] > edgeStart[child]) visit(child, next, nextChars);
      }
    };
    visit(node, format ? frame.d : stringLexState(frame), frame.c);
    return count;
  }
}
