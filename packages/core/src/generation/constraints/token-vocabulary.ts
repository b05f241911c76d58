import type { Tokenizer } from '../../text/tokenizer.js';
import { buildExitSuffixes, buildStringMaskTables, type ExitSuffixes, type StringMaskTable } from './string-mask-table.js';
import { buildTokenTrie, type TokenTrie } from './token-trie.js';

/**
 * A model's vocabulary as bytes, prepared for token masks: the decoded bytes of every token (special tokens and ids the
 * tokenizer does not know have none, so a mask never allows them), their trie, and the tokens each lexical state of a
 * string accepts. Build it once per model with {@link tokenVocabularyOf}.
 */
export interface TokenVocabulary {
  /** Logits per row (the model's vocabulary size; may exceed the tokenizer's). */
  readonly size: number;
  /** Bytes of each token, `undefined` for tokens a constraint never allows. */
  readonly bytes: readonly (Uint8Array | undefined)[];
  /** The byte trie of {@link TokenVocabulary.bytes}. */
  readonly trie: TokenTrie;
  /** What follows a string's end inside tokens (suffixes after `"` and from `<`). */
  readonly exits: ExitSuffixes;
  /** The tokens each lexical state of plain JSON (`json`) and raw (`raw`) string content accepts, by `StringLex` state. */
  readonly stringTables: { readonly json: readonly StringMaskTable[]; readonly raw: readonly StringMaskTable[] };
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

/**
 * Builds a {@link TokenVocabulary} from token bytes (`undefined` for tokens never allowed), e.g. for tests. This is the
 * one-time preparation per model: the byte trie, the suffix trie, and the token tables of every lexical state of
 * string content, so that no decode step has to walk the whole vocabulary.
 */
export function createTokenVocabulary(bytes: readonly (Uint8Array | undefined)[]): TokenVocabulary {
  const trie = buildTokenTrie(bytes);
  const exits = buildExitSuffixes(bytes);
  return { size: bytes.length, bytes, trie, exits, stringTables: buildStringMaskTables(trie, bytes.length, exits), constraints: new Map() };
}
