/** What {@link intEnv} accepts. */
export interface IntEnvRange {
  /** Smallest value (default 1). */
  readonly min?: number;
  /** Largest value (default `Number.MAX_SAFE_INTEGER`). */
  readonly max?: number;
  /** What the setting is, for the message, e.g. `prompt tokens`. */
  readonly what: string;
}

/**
 * A whole-number bench setting from the environment variable `name`, or `fallback` when it is unset. Throws, naming
 * the variable, its meaning and the value, on anything else (`abc`, `1k`, `2.5`, an empty value, a number out of
 * range), so that a typo stops the benchmark instead of running it with `NaN` (an empty prompt, no runs) or a
 * setting it was not asked for. Internal to the bench scripts.
 *
 * @param name The environment variable to read.
 * @param fallback The value when the variable is unset.
 * @param range The accepted values and what they mean.
 * @param env The environment (tests pass their own).
 */
export function intEnv(name: string, fallback: number, range: IntEnvRange, env: NodeJS.ProcessEnv = process.env): number {
  const value = env[name];
  if (value === undefined) return fallback;
  const { min = 1, max = Number.MAX_SAFE_INTEGER, what } = range;
  const number = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(number) || number < min || number > max) {
    const kind = min === 1 ? 'a positive integer' : `an integer >= ${min}`;
    throw new Error(`${name} must be ${kind}${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ''} (${what}; unset: ${fallback}), got '${value}'`);
  }
  return number;
}
