import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { TokenizerLoadError } from '../errors/tokenizer-load-error.js';
import { specialTokensMapOf } from './special-tokens-map.js';
import type { DecodeOptions, EncodeOptions, SpecialToken, Tokenizer } from './tokenizer.js';

/**
 * Builds a {@link Tokenizer} from the parsed contents of `tokenizer.json` and `tokenizer_config.json`,
 * running on `@huggingface/tokenizers`.
 *
 * @param tokenizerJson - parsed `tokenizer.json`
 * @param tokenizerConfig - parsed `tokenizer_config.json` (`{}` when the model has none)
 * @param source - where the files came from, for error messages
 * @throws {@link TokenizerLoadError} (`unsupported`) when the library cannot build the tokenizer
 */
export function createTokenizer(tokenizerJson: Record<string, unknown>, tokenizerConfig: Record<string, unknown> = {}, source = 'tokenizer.json'): Tokenizer {
  let inner: HfTokenizer;
  try {
    inner = new HfTokenizer(tokenizerJson, tokenizerConfig);
  } catch (cause) {
    throw new TokenizerLoadError({ path: source, reason: 'unsupported', detail: (cause as Error)?.message }, { cause });
  }
  return new HfBackedTokenizer(inner, tokenizerConfig);
}

class HfBackedTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly specialTokens: readonly SpecialToken[];
  readonly eosToken?: string;
  readonly eosTokenId?: number;
  readonly bosToken?: string;
  readonly bosTokenId?: number;
  readonly padToken?: string;
  readonly padTokenId?: number;
  readonly specialTokensMap: Readonly<Record<string, string | readonly string[]>>;
  private readonly specialIds: ReadonlySet<number>;

  constructor(
    private readonly inner: HfTokenizer,
    config: Record<string, unknown>,
  ) {
    let maxId = -1;
    for (const id of inner.get_vocab(true).values()) maxId = Math.max(maxId, id);
    const special: SpecialToken[] = [];
    for (const [id, token] of inner.get_added_tokens_decoder()) {
      maxId = Math.max(maxId, id);
      if (token.special) special.push({ id, content: token.content });
    }
    special.sort((a, b) => a.id - b.id);
    this.vocabSize = maxId + 1;
    this.specialTokens = special;
    this.specialIds = new Set(special.map((token) => token.id));

    const map = specialTokensMapOf(config);
    this.specialTokensMap = map;
    this.eosToken = map.eos_token as string | undefined;
    this.bosToken = map.bos_token as string | undefined;
    this.padToken = map.pad_token as string | undefined;
    this.eosTokenId = this.eosToken === undefined ? undefined : inner.token_to_id(this.eosToken);
    this.bosTokenId = this.bosToken === undefined ? undefined : inner.token_to_id(this.bosToken);
    this.padTokenId = this.padToken === undefined ? undefined : inner.token_to_id(this.padToken);
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    return this.inner.encode(text, { add_special_tokens: options.addSpecialTokens ?? false }).ids;
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    if (ids.length === 0) return '';
    return this.inner.decode(ids as number[], { skip_special_tokens: options.skipSpecialTokens ?? false });
  }

  tokenToId(token: string): number | undefined {
    return this.inner.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.inner.id_to_token(id);
  }

  isSpecialId(id: number): boolean {
    return this.specialIds.has(id);
  }
}
