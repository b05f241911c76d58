import type { TextModelHooks } from '@pio/core/plugin-kit';
import { createGlmAssistantOutputParser } from './chat/glm-assistant-output-parser.js';
import { glmToolCallGrammar } from './chat/glm-tool-call-grammar.js';

/**
 * GLM-4.7's hooks of the text surface: output parsing into `reasoning_content`, `content` and OpenAI-style
 * `tool_calls`, forced tool calls in GLM's tool-call format, and `enableThinking` passed to the chat template as
 * `enable_thinking` (thinking on when unset).
 */
export const GLM_TEXT_HOOKS: TextModelHooks<undefined> = {
  createOutputParser: createGlmAssistantOutputParser,
  toolCallGrammar: glmToolCallGrammar,
  templateVariables: (request) => (request.enableThinking === undefined ? {} : { enable_thinking: request.enableThinking }),
};
