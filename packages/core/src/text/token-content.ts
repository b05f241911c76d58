/**
 * The text of a special-token entry in `tokenizer_config.json`: a plain string or an AddedToken object
 * (`{ "content": "<|im_end|>", "__type": "AddedToken", … }`). `undefined` for `null` or anything else.
 */
export function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}
