/**
 * `@pio/core/weights`.
 *
 * @packageDocumentation
 */
export {};
