import type { CausalLM } from '@pio/core';
import { createTextModelRuntime, loadGenerationConfig, type GenerationDefaults, type TextModelRuntime } from '@pio/core/generation';
import { loadChatTemplate, loadTokenizer } from '@pio/core/text';
import { createGlmAssistantOutputParser } from './chat/glm-assistant-output-parser.js';
import { glmToolCallGrammar } from './chat/glm-tool-call-grammar.js';
import type { GlmFlashConfig } from './glm-flash-config.js';

/**
 * The text and chat surface of a loaded GLM-4.7-Flash, on core's text-model runtime: GLM-4.7's tokenizer and chat
 * template (`chat_template.jinja`; thinking on unless `enableThinking: false`, passed as `enable_thinking`), its EOS ids
 * (`<|endoftext|>`, `<|user|>`, `<|observation|>`), and output parsing into `reasoning_content`, `content` and
 * OpenAI-style `tool_calls`. Every file goes through `validatePath` when given.
 */
export async function createGlmTextRuntime(
  model: CausalLM & { readonly config: Pick<GlmFlashConfig, 'eosTokenIds' | 'padTokenId'> },
  modelDir: string,
  validatePath?: (path: string) => Promise<string>,
): Promise<TextModelRuntime> {
  const tokenizer = await loadTokenizer(modelDir, { validatePath });
  const chatTemplate = await loadChatTemplate(modelDir, { validatePath });
  // a bad generation_config.json is an error naming the field, never silently ignored
  const fromFile = await loadGenerationConfig(modelDir, { validatePath });
  const generationDefaults: GenerationDefaults = {
    ...fromFile,
    eosTokenIds: fromFile.eosTokenIds ?? model.config.eosTokenIds,
    padTokenId: fromFile.padTokenId ?? model.config.padTokenId,
  };
  return createTextModelRuntime({
    model,
    tokenizer,
    chatTemplate,
    generationDefaults,
    createOutputParser: createGlmAssistantOutputParser,
    toolCallGrammar: glmToolCallGrammar,
    templateVariables: (request) => (request.enableThinking === undefined ? {} : { enable_thinking: request.enableThinking }),
  });
}
