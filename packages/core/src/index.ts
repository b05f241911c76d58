/**
 * `@pio/core`: the PIO spec (plugins, backends, models) and its machinery.
 *
 * Helpers sit behind subpath exports: `@pio/core/nn`, `@pio/core/weights`, `@pio/core/text`,
 * `@pio/core/generation`, `@pio/core/testing`.
 *
 * @packageDocumentation
 */
export * from './errors/pio-error.js';
export * from './errors/backend-error.js';
export * from './errors/backend-memory-error.js';
export * from './backend/backend.js';
export * from './backend/tensor.js';
export * from './backend/host-tensor.js';
export * from './backend/host-tensor-decode.js';
export * from './backend/shape-rules.js';
export * from './backend/weight-storage.js';
export * from './backend/weight-writer.js';
export * from './backend/sequence-buffer.js';
export * from './model/causal-lm.js';
export * from './plugin/plugin-spec-version.js';
export * from './plugin/trust-level.js';
export * from './plugin/plugin-metadata.js';
export * from './plugin/memory-estimate.js';
export * from './plugin/chat.js';
export * from './plugin/generation-options.js';
export * from './plugin/model-plugin-interface.js';
export * from './plugin/text-model-plugin-interface.js';
export * from './errors/plugin-not-found-error.js';
export * from './errors/plugin-load-error.js';
export * from './errors/incompatible-spec-version-error.js';
export * from './errors/invalid-config-error.js';
export * from './errors/config-file-error.js';
export * from './errors/invalid-manifest-error.js';
export * from './errors/path-not-allowed-error.js';
export * from './errors/trust-error.js';
export * from './errors/insufficient-memory-error.js';
export * from './errors/plugin-state-error.js';
export * from './errors/resource-limit-error.js';
export * from './errors/execution-timeout-error.js';
export * from './errors/execution-aborted-error.js';
export * from './errors/unsupported-model-error.js';
export * from './errors/unsupported-setting-error.js';
export * from './plugin/plugin-manifest.js';
export * from './plugin/plugin-package.js';
export * from './plugin/plugin-factory.js';
export * from './plugin/plugin-metadata-input.js';
export * from './config/base-config.js';
export * from './config/config-issues.js';
export * from './config/parse-config.js';
export * from './config/read-model-config.js';
export * from './config/model-settings.js';
export * from './config/config-manager.js';
export * from './hardware/format-bytes.js';
export * from './hardware/hardware-snapshot.js';
export * from './hardware/run-command.js';
export * from './hardware/query-nvidia-gpus.js';
export * from './hardware/detect-tfjs-engines.js';
export * from './hardware/hardware-analyzer.js';
export * from './security/resolve-real-path.js';
export * from './security/path-guard.js';
export * from './security/trust-policy.js';
export * from './security/create-path-validator.js';
export * from './plugin-manager/read-plugin-package.js';
export * from './plugin-manager/discover-plugins.js';
export * from './plugin-manager/load-plugins-from-directory.js';
export * from './plugin-manager/resolve-plugin-entry.js';
export * from './plugin-manager/load-plugin.js';
export * from './plugin-manager/validate-plugin.js';
export * from './plugin-manager/execution-limits.js';
export * from './plugin-manager/plugin-manager.js';
export * from './plugin-manager/create-plugin-manager.js';
export * from './errors/safetensors-format-error.js';
export * from './errors/checkpoint-error.js';
export * from './errors/tensor-not-found-error.js';
export * from './errors/weight-load-error.js';
export * from './errors/weight-shape-error.js';
export * from './errors/weight-rename-error.js';
export * from './errors/model-not-found-error.js';
export * from './errors/download-error.js';
export * from './errors/download-integrity-error.js';
export * from './errors/tokenizer-load-error.js';
export * from './errors/chat-template-error.js';
export * from './errors/invalid-generation-options-error.js';
export * from './errors/model-output-error.js';
export * from './errors/unsupported-input-error.js';
export * from './errors/network-not-allowed-error.js';
export * from './security/create-guarded-fetch.js';
