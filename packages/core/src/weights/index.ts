/**
 * `@pio/core/weights`: safetensors files, checkpoints (single or sharded), weight sources that upload checkpoint
 * tensors to a backend, model folder lookup and Hugging Face Hub downloads.
 *
 * @module @pio/core/weights
 */
export * from '../errors/safetensors-format-error.js';
export * from '../errors/checkpoint-error.js';
export * from '../errors/tensor-not-found-error.js';
export * from '../errors/weight-load-error.js';
export * from '../errors/weight-shape-error.js';
export * from '../errors/weight-rename-error.js';
export * from '../errors/model-not-found-error.js';
export * from '../errors/download-error.js';
export * from '../errors/download-integrity-error.js';
export * from './tensor-info.js';
export { SAFETENSORS_MAX_HEADER_BYTES } from './safetensors-header.js';
export * from './safetensors-file.js';
export * from './encode-host-tensor.js';
export * from './write-safetensors.js';
export * from './checkpoint.js';
export { SAFETENSORS_INDEX_FILE, SAFETENSORS_SINGLE_FILE } from './checkpoint-index.js';
export * from './open-checkpoint.js';
export * from './weight-rename-table.js';
export * from './weight-load-report.js';
export * from './load-progress.js';
export * from './checkpoint-weight-source.js';
export * from './create-weight-source.js';
export * from './hf-cache.js';
export * from './resolve-model-path.js';
export * from './file-glob.js';
export * from './download-progress.js';
export * from './download-model.js';
