import { join } from 'node:path';
import { ChatTemplateError } from '../errors/chat-template-error.js';
import { InvalidConfigError } from '../errors/invalid-config-error.js';
import type { GenerationDefaults } from '../generation/generation-defaults.js';
import { loadGenerationConfig } from '../generation/load-generation-config.js';
import { createTextModelRuntime, type TextModelRuntime, type TextModelRuntimeOptions } from '../generation/text-model-runtime.js';
import type { CausalLM } from '../model/causal-lm.js';
import { loadChatTemplate } from '../text/load-chat-template.js';
import { loadTokenizer } from '../text/load-tokenizer.js';
import type { Tokenizer } from '../text/tokenizer.js';

/** Model-specific hooks of the text and chat surface (see `createTextModelRuntime`). */
export type TextModelHooks<Extras> = Pick<
  TextModelRuntimeOptions<Extras>,
  'prepareInput' | 'extrasOf' | 'combineExtras' | 'createOutputParser' | 'toolCallGrammar' | 'templateVariables'
>;

/** Options of {@link loadTextModelRuntime}. */
export interface LoadTextModelRuntimeOptions<Extras> {
  /** The loaded model. */
  model: CausalLM<Extras>;
  /** Its folder: `tokenizer.json`, the chat template, `generation_config.json`. */
  modelDir: string;
  /** Generation settings the model's config implies (e.g. its EOS ids); `generation_config.json` overrides them. */
  generationDefaults?: GenerationDefaults;
  /** The path guard every file goes through (tokenizer, chat template, generation config). */
  validatePath?: (path: string) => Promise<string>;
  /** The model-specific hooks, given the loaded tokenizer. */
  hooks?: (tokenizer: Tokenizer) => TextModelHooks<Extras> | undefined | Promise<TextModelHooks<Extras> | undefined>;
}

/**
 * The text, chat, stream and batch surface of a loaded model, read from its folder: the tokenizer, the chat template
 * (a folder without one runs text only; a template that does not parse is a `ChatTemplateError`),
 * `generation_config.json` over `generationDefaults`, and the model's hooks.
 */
export async function loadTextModelRuntime<Extras = undefined>(options: LoadTextModelRuntimeOptions<Extras>): Promise<TextModelRuntime> {
  const { model, modelDir } = options;
  const guard = options.validatePath ? { validatePath: options.validatePath } : {};
  const tokenizer = await loadTokenizer(modelDir, guard);
  const chatTemplate = await loadChatTemplate(modelDir, guard).catch((error: unknown) => {
    if (ChatTemplateError.isInstance(error) && error.reason === 'missing') return undefined;
    throw error;
  });
  // a bad generation_config.json is an error naming the field, never silently ignored
  const fromFile = Object.entries(await loadGenerationConfig(modelDir, guard)).filter(([, value]) => value !== undefined);
  const generationDefaults: GenerationDefaults = { ...options.generationDefaults, ...Object.fromEntries(fromFile) };
  const pad = generationDefaults.padTokenId;
  if (pad !== undefined && !(pad >= 0 && pad < model.vocabSize)) {
    // the pad id fills the embedding lookups of shorter rows in a batch: one outside the table cannot be looked up
    const source = `${join(modelDir, 'generation_config.json')} (or config.json)`;
    throw new InvalidConfigError({ source, issues: [{ path: 'pad_token_id', expected: `a token id in [0, ${model.vocabSize})`, found: String(pad) }] });
  }
  const hooks = await options.hooks?.(tokenizer);
  return createTextModelRuntime<Extras>({ model, tokenizer, chatTemplate, generationDefaults, ...hooks });
}
