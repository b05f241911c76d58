import type { Tokenizer } from './tokenizer.js';

/** Options of {@link createDetokenizer}. */
export interface DetokenizerOptions {
  /** Leave special tokens out of the text. Default false. */
  skipSpecialTokens?: boolean;
}

/**
 * Turns a stream of token ids into text as it arrives.
 *
 * {@link Detokenizer.push} returns only text that is final: a byte-level BPE token may end in the middle of a UTF-8
 * character, and that character is held back until the tokens completing it arrive. Concatenating every `push` and the
 * final {@link Detokenizer.flush} gives `tokenizer.decode(allIds)` (for tokenizers without
 * `clean_up_tokenization_spaces`, which rewrites text across token boundaries).
 */
export interface Detokenizer {
  /** Adds one token; returns the new complete text (possibly empty). */
  push(id: number): string;
  /** Returns whatever is still held back (an incomplete character decodes as U+FFFD, as `decode` gives). */
  flush(): string;
  /** Every id pushed so far. */
  readonly ids: readonly number[];
}

const REPLACEMENT = '\uFFFD';

/**
 * Creates a {@link Detokenizer}.
 *
 * Method (the prefix/read-offset scheme of text-generation-inference and vLLM): ids from `prefixOffset` to `readOffset`
 * were already emitted and serve as context, so decoders that treat the first token specially (e.g. SentencePiece's
 * leading space) see the same neighbours as in a full decode; the text of the ids after `readOffset` is emitted once it
 * no longer ends in U+FFFD (an incomplete character).
 */
export function createDetokenizer(tokenizer: Tokenizer, options: DetokenizerOptions = {}): Detokenizer {
  const decodeOptions = { skipSpecialTokens: options.skipSpecialTokens ?? false };
  const ids: number[] = [];
  let prefixOffset = 0;
  let readOffset = 0;
  let prefixText = '';

  const pending = (): string => {
    // Decoding with the emitted context gives that context's text again first (byte-level BPE, SentencePiece).
    return tokenizer.decode(ids.slice(prefixOffset), decodeOptions).slice(prefixText.length);
  };
  const advance = () => {
    prefixOffset = readOffset;
    readOffset = ids.length;
    prefixText = tokenizer.decode(ids.slice(prefixOffset, readOffset), decodeOptions);
  };

  return {
    ids,
    push(id: number): string {
      ids.push(id);
      const text = pending();
      if (text.length === 0 || text.endsWith(REPLACEMENT)) return '';
      advance();
      return text;
    },
    flush(): string {
      if (readOffset === ids.length) return '';
      const text = pending();
      advance();
      return text;
    },
  };
}
