import type { CausalLM } from '@pio/core';
import type { GenerationDefaults, TextModelRuntime } from '@pio/core/generation';
import { loadTextModelRuntime, type TextModelHooks } from '@pio/core/plugin-kit';
import { createGlmAssistantOutputParser } from './chat/glm-assistant-output-parser.js';
import { glmToolCallGrammar } from './chat/glm-tool-call-grammar.js';
import type { GlmFlashConfig } from './glm-flash-config.js';

/**
 * GLM-4.7's hooks of the text surface: output parsing into `reasoning_content`, `content` and OpenAI-style
 * `tool_calls`, forced tool calls in GLM's tool-call format, and `enableThinking` passed to the chat template as `enable_thinking` (thinking on when unset).
 */
export const GLM_TEXT_HOOKS: TextModelHooks<undefined> = {
  createOutputParser: createGlmAssistantOutputParser,
  toolCallGrammar: glmToolCallGrammar,
  templateVariables: (request) => (request.enableThinking === undefined ? {} : { enable_thinking: request.enableThinking }),
};

/** The config's EOS ids (`<|endoftext|>`, `<|user|>`, `<|observation|>`) and pad id, under `generation_config.json`'s. */
export function glmGenerationDefaults(config: Pick<GlmFlashConfig, 'eosTokenIds' | 'padTokenId'>): GenerationDefaults {
  return { eosTokenIds: config.eosTokenIds, padTokenId: config.padTokenId };
}

/**
 * The text and chat surface of a loaded GLM-4.7-Flash (or a stand-in with its config's token ids), read from
 * `modelDir`; every file goes through `validatePath` when given.
 */
export async function createGlmTextRuntime(
  model: CausalLM & { readonly config: Pick<GlmFlashConfig, 'eosTokenIds' | 'padTokenId'> },
  modelDir: string,
  validatePath?: (path: string) => Promise<string>,
): Promise<TextModelRuntime> {
  const guard = validatePath ? { validatePath } : {};
  return loadTextModelRuntime({ model, modelDir, ...guard, generationDefaults: glmGenerationDefaults(model.config), hooks: () => GLM_TEXT_HOOKS });
}
