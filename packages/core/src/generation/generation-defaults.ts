import type { GenerationOptions } from '../plugin/generation-options.js';

/**
 * Generation options with the token ids a model's `generation_config.json` also gives. What `loadGenerationConfig`
 * returns, and what the engine accepts.
 */
export interface GenerationDefaults extends GenerationOptions {
  /** Token used to left-pad prompts in a batch (`pad_token_id`); 0 when unset. */
  padTokenId?: number;
  /** Beginning-of-sequence token (`bos_token_id`), for callers that build prompts by hand. */
  bosTokenId?: number;
}

/** New tokens per row when neither the caller nor `generation_config.json` says (`max_new_tokens`). */
export const DEFAULT_MAX_NEW_TOKENS = 512;
