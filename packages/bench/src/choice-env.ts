/**
 * A bench setting from the environment variable `name` that must be one of `choices`, or `fallback` when it is unset.
 * Throws, naming the variable, the choices and the value, on anything else, so that a typo (`PIO_BENCH_KV=f32`) stops
 * the benchmark instead of running the default it was not asked for. Internal to the bench scripts.
 *
 * @param name The environment variable to read.
 * @param fallback The value when the variable is unset.
 * @param choices The accepted values.
 * @param env The environment (tests pass their own).
 */
export function choiceEnv<T extends string>(name: string, fallback: T, choices: readonly T[], env: NodeJS.ProcessEnv = process.env): T {
  const value = env[name];
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) throw new Error(`${name} must be one of ${choices.join(', ')} (unset: ${fallback}), got '${value}'`);
  return value as T;
}
