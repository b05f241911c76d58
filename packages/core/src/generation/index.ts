/**
 * `@pio/core/generation`.
 *
 * @packageDocumentation
 */
export {};
