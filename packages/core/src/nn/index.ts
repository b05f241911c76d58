/**
 * `@pio/core/nn`: neural-network building blocks written over the `Backend` spec.
 *
 * @module @pio/core/nn
 */
export * from './module.js';
export * from './weight-source.js';
export * from './linear.js';
export * from './gated-mlp.js';
export * from './swiglu.js';
export * from './embedding.js';
export * from './rms-norm.js';
export * from './layer-norm.js';
export * from './kv-cache.js';
export * from './attention-mask.js';
export * from './attention-mask-options.js';
export * from './rotary.js';
export * from './rotary-inputs.js';
export * from '../model/decoder-model.js';
export * from '../model/cached-decoder-session.js';
export * from '../model/prefill-logits.js';
export * from '../model/output-positions.js';
export * from '../model/output-queries.js';
