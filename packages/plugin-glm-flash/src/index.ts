/**
 * `@pio/plugin-glm-flash`: GLM-4.7-Flash (`Glm4MoeLiteForCausalLM`) for PIO — multi-head latent attention with a
 * compressed KV cache, sparse MoE with lazily loaded experts, thinking and tool calls.
 *
 * @module @pio/plugin-glm-flash
 */
export { createGlmFlashPlugin, GlmFlashPlugin, type GlmFlashPluginOptions, type GlmFlashMemoryReport } from './glm-flash-plugin.js';
export { glmFlashConfigJsonSchema, parseGlmFlashConfig, isGlmFlashConfig, type GlmFlashConfig } from './glm-flash-config.js';
export { REAL_GLM47_FLASH_CONFIG } from './real-config.js';
export { estimateGlmFlashMemory, type GlmFlashMemoryEstimate } from './estimate-glm-flash-memory.js';
export { loadGlmFlashModel, type LoadGlmFlashModelOptions, type LoadedGlmFlashModel } from './load-glm-flash-model.js';
export { GlmFlashModel, type GlmFlashModelLoadOptions, type GlmFlashForwardInput } from './model.js';
export type { GlmFlashSessionForms } from './model.js';
export { GlmFlashDecoderLayer } from './decoder-layer.js';
export { MultiHeadLatentAttention, MLA_CACHE_ENTRY, type MlaContext } from './attention/mla.js';
export { GatedMlp } from './gated-mlp.js';
export { MoeBlock } from './moe/moe.js';
export { ExpertCache, type ExpertLoader, type ExpertCacheStats } from './moe/experts.js';
export { loadLinear, type MatrixStorage } from './load-linear.js';
export { glmFlashUnusedPrefixes, expertWeightName } from './weight-map.js';
export { validatePrompt, type ValidatedPrompt } from './validate-prompt.js';
export { parseGlmOutput, GLM_THINK_OPEN, GLM_THINK_CLOSE, GLM_TOOL_CALL_OPEN, GLM_TOOL_CALL_CLOSE, type ParseGlmOutputOptions, type GlmAssistantOutput } from './chat/parse-glm-output.js';
export { GlmOutputStreamParser, type GlmOutputDelta } from './chat/glm-output-stream-parser.js';
export { parseGlmToolCall, randomToolCallId, type ToolCallIdFactory } from './chat/parse-glm-tool-call.js';
export { createGlmTextRuntime } from './glm-text-runtime.js';
export { createGlmAssistantOutputParser } from './chat/glm-assistant-output-parser.js';
export { GlmFlashInputError } from './errors/glm-flash-input-error.js';
