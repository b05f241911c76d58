/**
 * `@pio/cli`: the `pio` command and an embeddable OpenAI-compatible HTTP server.
 *
 * @module @pio/cli
 */
export * from './server/create-server.js';
export * from './server/server-options.js';
export * from './host/model-host.js';
export * from './errors/cli-usage-error.js';
export * from './errors/bench-harness-missing-error.js';
export * from './errors/http-request-error.js';
export * from './errors/model-not-registered-error.js';
export * from './errors/model-already-registered-error.js';
export * from './host/create-manager-host.js';
export * from './errors/no-plugin-for-model-error.js';
export * from './errors/not-a-text-model-error.js';
