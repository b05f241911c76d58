import { tokenContent } from './token-content.js';

const SPECIAL_TOKEN_KEYS = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'] as const;

/**
 * The special-token variables transformers passes to chat templates (its `special_tokens_map`), read from
 * `tokenizer_config.json`: the `*_token` entries that are set, as strings, and `additional_special_tokens`.
 */
export function specialTokensMapOf(config: Readonly<Record<string, unknown>>): Record<string, string | string[]> {
  const map: Record<string, string | string[]> = {};
  for (const key of SPECIAL_TOKEN_KEYS) {
    const content = tokenContent(config[key]);
    if (content !== undefined) map[key] = content;
  }
  if (Array.isArray(config.additional_special_tokens)) {
    map.additional_special_tokens = config.additional_special_tokens.map(tokenContent).filter((c): c is string => c !== undefined);
  }
  return map;
}
