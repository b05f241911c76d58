import type { Tokenizer } from '../../text/tokenizer.js';
import { utf8Lead } from './json-matcher.js';
import { buildTokenTrie, type TokenTrie } from './token-trie.js';

/**
 * A model's vocabulary as bytes, prepared for token masks: the decoded bytes of every token (special tokens and ids the
 * tokenizer does not know have none, so a mask never allows them), their trie, and the tokens that may stand inside a
 * JSON string. Build it once per model with {@link tokenVocabularyOf}.
 */
export interface TokenVocabulary {
  /** Logits per row (the model's vocabulary size; may exceed the tokenizer's). */
  readonly size: number;
  /** Bytes of each token, `undefined` for tokens a constraint never allows. */
  readonly bytes: readonly (Uint8Array | undefined)[];
  /** The byte trie of {@link TokenVocabulary.bytes}. */
  readonly trie: TokenTrie;
  /** Tokens made only of JSON string content (valid UTF-8 from a character boundary, possibly ending inside a character). */
  readonly contentIds: Int32Array;
  /** Characters (UTF-8 lead bytes) of each of {@link TokenVocabulary.contentIds}. */
  readonly contentChars: Int32Array;
  /** {@link TokenVocabulary.contentIds} sorted by characters, and their characters (ascending). */
  readonly contentByChars: Int32Array;
  readonly sortedChars: Int32Array;
  /** Every token id not in {@link TokenVocabulary.contentIds}, ascending. */
  readonly nonContentIds: Int32Array;
  /** Tokens of string content followed by `"` or `\`, and the byte offset and characters of that content prefix. */
  readonly breakIds: Int32Array;
  readonly breakOffset: Int32Array;
  readonly breakChars: Int32Array;
  /** Memo of compiled constraints (by schema text), filled by `jsonConstraintFor`. */
  readonly constraints: Map<string, unknown>;
}

/** GPT-2's byte-level alphabet: the character each byte is written as in a byte-level BPE vocabulary. */
function byteLevelDecoder(): Map<string, number> {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const map = new Map<string, number>();
  let next = 256;
  for (let b = 0; b < 256; b++) map.set(String.fromCodePoint(printable(b) ? b : next++), b);
  return map;
}

/** The bytes of one vocabulary entry: byte-level BPE (GPT-2 alphabet) or SentencePiece (`▁`, `<0xNN>`) spelling. */
function entryBytes(entry: string, byteLevel: Map<string, number> | undefined, encoder: { encode(text: string): Uint8Array }): Uint8Array {
  if (byteLevel) {
    const out = new Uint8Array(entry.length);
    let i = 0;
    for (const ch of entry) {
      const b = byteLevel.get(ch);
      if (b === undefined) return encoder.encode(entry); // an added token written as plain text
      out[i++] = b;
    }
    return out.subarray(0, i);
  }
  const hex = /^<0x([0-9A-Fa-f]{2})>$/.exec(entry);
  if (hex) return Uint8Array.of(parseInt(hex[1], 16));
  return encoder.encode(entry.replace(/\u2581/g, ' '));
}

const cache = new WeakMap<Tokenizer, Map<number, TokenVocabulary>>();

/**
 * The {@link TokenVocabulary} of `tokenizer` for a model with `size` logits per row (memoised per tokenizer and size).
 * Special tokens get no bytes: constrained output never contains them (EOS is handled apart).
 */
export function tokenVocabularyOf(tokenizer: Tokenizer, size: number = tokenizer.vocabSize): TokenVocabulary {
  let bySize = cache.get(tokenizer);
  if (!bySize) cache.set(tokenizer, (bySize = new Map()));
  let vocabulary = bySize.get(size);
  if (!vocabulary) {
    const byteLevel = tokenizer.tokenToId('\u2581') !== undefined && tokenizer.tokenToId('\u0120') === undefined ? undefined : byteLevelDecoder();
    const encoder = new TextEncoder();
    const bytes: (Uint8Array | undefined)[] = new Array(size).fill(undefined);
    for (let id = 0; id < Math.min(size, tokenizer.vocabSize); id++) {
      if (tokenizer.isSpecialId(id)) continue;
      const entry = tokenizer.idToToken(id);
      if (entry !== undefined && entry.length > 0) bytes[id] = entryBytes(entry, byteLevel, encoder);
    }
    vocabulary = createTokenVocabulary(bytes);
    bySize.set(size, vocabulary);
  }
  return vocabulary;
}

/** Builds a {@link TokenVocabulary} from token bytes (`undefined` for tokens never allowed), e.g. for tests. */
export function createTokenVocabulary(bytes: readonly (Uint8Array | undefined)[]): TokenVocabulary {
  const contentIds: number[] = [];
  const contentChars: number[] = [];
  const breakIds: number[] = [];
  const breakOffset: number[] = [];
  const breakChars: number[] = [];
  bytes.forEach((token, id) => {
    if (!token || token.length === 0) return;
    let chars = 0;
    let need = 0;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < token.length; i++) {
      const b = token[i];
      if (need > 0) {
        if (b < lo || b > hi) return;
        need--;
        lo = 0x80;
        hi = 0xbf;
        continue;
      }
      if (b === 0x22 || b === 0x5c) {
        breakIds.push(id);
        breakOffset.push(i);
        breakChars.push(chars);
        return;
      }
      if (b < 0x20) return;
      chars++;
      if (b < 0x80) continue;
      const lead = utf8Lead(b);
      if (lead === 0) return;
      need = lead & 3;
      lo = (lead >> 2) & 0xff;
      hi = (lead >> 10) & 0xff;
    }
    contentIds.push(id);
    contentChars.push(chars);
  });
  const order = contentIds.map((_, i) => i).sort((a, b) => contentChars[a] - contentChars[b]);
  const isContent = new Uint8Array(bytes.length);
  for (const id of contentIds) isContent[id] = 1;
  const nonContentIds: number[] = [];
  for (let id = 0; id < bytes.length; id++) if (!isContent[id]) nonContentIds.push(id);
  return {
    size: bytes.length,
    contentByChars: Int32Array.from(order, (i) => contentIds[i]),
    sortedChars: Int32Array.from(order, (i) => contentChars[i]),
    nonContentIds: Int32Array.from(nonContentIds),
    bytes,
    trie: buildTokenTrie(bytes),
    contentIds: Int32Array.from(contentIds),
    contentChars: Int32Array.from(contentChars),
    breakIds: Int32Array.from(breakIds),
    breakOffset: Int32Array.from(breakOffset),
    breakChars: Int32Array.from(breakChars),
    constraints: new Map(),
  };
}
