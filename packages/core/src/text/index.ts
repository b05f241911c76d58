/**
 * `@pio/core/text`.
 *
 * @packageDocumentation
 */
export {};
