import type { Tokenizer } from '../../text/tokenizer.js';
import { yieldToEventLoop } from '../yield-to-event-loop.js';
import { STRING_LEX_STATES } from './string-lexer.js';
import { buildExitSuffixes, buildStringMaskTable, buildStringMaskTables, type ExitSuffixes, type StringMaskTable } from './string-mask-table.js';
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
const pending = new WeakMap<Tokenizer, Map<number, Promise<TokenVocabulary>>>();

/** Reads token ids' bytes from `tokenizer` (special tokens and unknown ids: `undefined`). */
function tokenBytesReader(tokenizer: Tokenizer): (id: number) => Uint8Array | undefined {
  const byteLevel = tokenizer.tokenToId('\u2581') !== undefined && tokenizer.tokenToId('\u0120') === undefined ? undefined : byteLevelDecoder();
  const encoder = new TextEncoder();
  return (id) => {
    if (tokenizer.isSpecialId(id)) return undefined;
    const entry = tokenizer.idToToken(id);
    return entry !== undefined && entry.length > 0 ? entryBytes(entry, byteLevel, encoder) : undefined;
  };
}

function remember(tokenizer: Tokenizer, size: number, vocabulary: TokenVocabulary): TokenVocabulary {
  let bySize = cache.get(tokenizer);
  if (!bySize) cache.set(tokenizer, (bySize = new Map()));
  const known = bySize.get(size);
  if (known) return known;
  bySize.set(size, vocabulary);
  return vocabulary;
}

/**
 * The {@link TokenVocabulary} of `tokenizer` for a model with `size` logits per row (memoised per tokenizer and size).
 * Special tokens get no bytes: constrained output never contains them (EOS is handled apart). Built at once on first
 * use (about a second for a 150k-token vocabulary): call {@link prepareTokenVocabulary} first where the event loop
 * must stay free.
 */
export function tokenVocabularyOf(tokenizer: Tokenizer, size: number = tokenizer.vocabSize): TokenVocabulary {
  const known = cache.get(tokenizer)?.get(size);
  if (known) return known;
  const read = tokenBytesReader(tokenizer);
  const bytes: (Uint8Array | undefined)[] = new Array(size).fill(undefined);
  for (let id = 0; id < Math.min(size, tokenizer.vocabSize); id++) bytes[id] = read(id);
  return remember(tokenizer, size, createTokenVocabulary(bytes));
}

/**
 * Builds (or finds) the {@link TokenVocabulary} of `tokenizer` for `size` logits per row in steps of a few tens of
 * milliseconds, giving the event loop a turn between them, so the first constrained request of a model does not hold
 * its host's event loop for the whole preparation; {@link tokenVocabularyOf} then answers from the memo. Concurrent
 * calls share one preparation.
 */
export function prepareTokenVocabulary(tokenizer: Tokenizer, size: number = tokenizer.vocabSize): Promise<TokenVocabulary> {
  const known = cache.get(tokenizer)?.get(size);
  if (known) return Promise.resolve(known);
  let bySize = pending.get(tokenizer);
  if (!bySize) pending.set(tokenizer, (bySize = new Map()));
  let promise = bySize.get(size);
  if (!promise) {
    const inFlight = bySize;
    promise = buildStepwise(tokenizer, size).finally(() => inFlight.delete(size));
    inFlight.set(size, promise);
  }
  return promise;
}

async function buildStepwise(tokenizer: Tokenizer, size: number): Promise<TokenVocabulary> {
  const read = tokenBytesReader(tokenizer);
  const bytes: (Uint8Array | undefined)[] = new Array(size).fill(undefined);
  const known = Math.min(size, tokenizer.vocabSize);
  for (let start = 0; start < known; start += 8192) {
    for (let id = start; id < Math.min(known, start + 8192); id++) bytes[id] = read(id);
    await yieldToEventLoop();
  }
  const trie = buildTokenTrie(bytes);
  await yieldToEventLoop();
  const exits = buildExitSuffixes(bytes);
  const tables = { json: [] as StringMaskTable[], raw: [] as StringMaskTable[] };
  for (const raw of [false, true]) {
    for (let state = 0; state < STRING_LEX_STATES; state++) {
      await yieldToEventLoop();
      (raw ? tables.raw : tables.json).push(buildStringMaskTable(trie, bytes.length, exits, raw, state));
    }
  }
  return remember(tokenizer, size, { size: bytes.length, bytes, trie, exits, stringTables: tables, constraints: new Map() });
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
