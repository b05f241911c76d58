/** Options of {@link Tokenizer.encode}. */
export interface EncodeOptions {
  /** Add the tokenizer's template tokens (BOS/EOS from its post-processor). Default false: prompts carry their own markers. */
  addSpecialTokens?: boolean;
}

/** Options of {@link Tokenizer.decode}. */
export interface DecodeOptions {
  /** Leave special tokens (added tokens flagged `special`, such as `<|im_end|>`) out of the text. Default false. */
  skipSpecialTokens?: boolean;
}

/** An added token flagged `special` in `tokenizer.json`. */
export interface SpecialToken {
  /** Its id. */
  readonly id: number;
  /** Its text, e.g. `<|im_start|>`. */
  readonly content: string;
}

/**
 * A Hugging Face tokenizer (`tokenizer.json` + `tokenizer_config.json`): text to token ids and back.
 *
 * Special tokens written in the text (such as `<|im_start|>`) encode to their single ids.
 * Create one with `createTokenizer` or `loadTokenizer`.
 */
export interface Tokenizer {
  /** Number of ids the tokenizer knows: largest id of the vocabulary and the added tokens, plus one. A model's embedding table may be larger. */
  readonly vocabSize: number;
  /** Added tokens flagged `special`, by increasing id. */
  readonly specialTokens: readonly SpecialToken[];
  /** `eos_token` of `tokenizer_config.json`, if any. */
  readonly eosToken?: string;
  /** Id of {@link Tokenizer.eosToken}. */
  readonly eosTokenId?: number;
  /** `bos_token` of `tokenizer_config.json`, if any. */
  readonly bosToken?: string;
  /** Id of {@link Tokenizer.bosToken}. */
  readonly bosTokenId?: number;
  /** `pad_token` of `tokenizer_config.json`, if any. */
  readonly padToken?: string;
  /** Id of {@link Tokenizer.padToken}. */
  readonly padTokenId?: number;
  /**
   * The special-token variables transformers passes to chat templates (`bos_token`, `eos_token`, `pad_token`,
   * `unk_token`, `additional_special_tokens`, …), as strings, for those `tokenizer_config.json` sets.
   */
  readonly specialTokensMap: Readonly<Record<string, string | readonly string[]>>;
  /** Text to token ids. */
  encode(text: string, options?: EncodeOptions): number[];
  /** Token ids to text. Ids the tokenizer does not know decode to nothing. */
  decode(ids: readonly number[], options?: DecodeOptions): string;
  /** Id of a token string (a vocabulary entry such as `Ġworld`, or an added token), or `undefined`. */
  tokenToId(token: string): number | undefined;
  /** The token string of an id, or `undefined`. */
  idToToken(id: number): string | undefined;
  /** True when `id` is a special token. */
  isSpecialId(id: number): boolean;
}
