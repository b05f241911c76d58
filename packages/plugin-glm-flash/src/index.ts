/**
 * `@pio/plugin-glm-flash`: GLM-4.7-Flash (`Glm4MoeLiteForCausalLM`) for PIO — multi-head latent attention with a
 * compressed KV cache, sparse MoE with lazily loaded experts, thinking and tool calls.
 *
 * @module @pio/plugin-glm-flash
 */
export * from './glm-flash-plugin.js';
export * from './glm-flash-plugin-options.js';
export type { GlmFlashConfig } from './glm-flash-config.js';
export type { GlmFlashMemoryEstimate } from './estimate-glm-flash-memory.js';
export type { GlmFlashModel } from './model.js';
export type { ExpertCacheStats } from './moe/experts.js';
export * from './errors/glm-flash-input-error.js';
