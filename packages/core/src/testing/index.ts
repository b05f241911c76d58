/**
 * `@pio/core/testing`.
 *
 * @packageDocumentation
 */
export {};
