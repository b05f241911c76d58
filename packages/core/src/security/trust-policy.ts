import { z } from 'zod';
import { parseConfig } from '../config/parse-config.js';
import { TrustError } from '../errors/trust-error.js';
import { TRUST_LEVELS, type TrustLevel } from '../plugin/trust-level.js';

const trustLevelSchema = z.enum(TRUST_LEVELS as [TrustLevel, ...TrustLevel[]]);

/** An npm package name, or a scope pattern such as `@pio/*`, or `*` for every package. */
const packagePatternSchema = z
  .string()
  .refine((s) => /^(\*|(@[a-z0-9][a-z0-9._~-]*\/)?([a-z0-9][a-z0-9._~-]*|\*))$/.test(s), {
    message: 'a package name, "@scope/*" or "*"',
  });

/** zod schema of {@link TrustPolicyOptions}. */
export const trustPolicyOptionsSchema = z.strictObject({
  /** Packages that may load, by name or scope pattern (`@pio/*`). They get `allowedLevel`. Default `["@pio/*"]`. */
  allow: z.array(packagePatternSchema).default(['@pio/*']),
  /** Level of packages matched by `allow`. Default `verified`. */
  allowedLevel: trustLevelSchema.default('verified'),
  /** Level of every other package. Default `untrusted` (never activated). */
  defaultLevel: trustLevelSchema.default('untrusted'),
  /** Levels of individual packages; these win over `allow` and `defaultLevel`. */
  packages: z.record(z.string(), trustLevelSchema).default({}),
});

/** What a {@link TrustPolicy} is built from (all fields optional). */
export type TrustPolicyOptions = z.input<typeof trustPolicyOptionsSchema>;

/** Where a plugin at some level may read models from. */
export type PathScope = 'none' | 'allowed-roots' | 'allowed-roots-and-hub-cache' | 'any';

/** What each trust level may do. */
export const TRUST_PATH_SCOPES: Readonly<Record<TrustLevel, PathScope>> = {
  /** Never activated. */
  untrusted: 'none',
  /** Only model folders inside the manager's allowed roots. */
  sandboxed: 'allowed-roots',
  /** Also the Hugging Face Hub cache. */
  verified: 'allowed-roots-and-hub-cache',
  /** Any path (only the global resource limits apply). */
  trusted: 'any',
};

/** Decides how far each plugin package is trusted. */
export interface TrustPolicy {
  /** The options after defaults. */
  readonly options: z.output<typeof trustPolicyOptionsSchema>;
  /** The level of a package: its own entry in `packages`, else `allowedLevel` when `allow` matches, else `defaultLevel`. */
  levelOf(packageName: string): TrustLevel;
  /**
   * Checks that a plugin package may be activated: its level must not be `untrusted` and must reach the plugin's
   * `requiredTrust`. Returns the level.
   *
   * @throws TrustError naming the package, its level and the level needed.
   */
  assertCanActivate(fields: { packageName: string; pluginName: string; requiredTrust: TrustLevel; level?: TrustLevel }): TrustLevel;
}

/** `a` ranks at least as high as `b`. */
function atLeast(a: TrustLevel, b: TrustLevel): boolean {
  return TRUST_LEVELS.indexOf(a) >= TRUST_LEVELS.indexOf(b);
}

function matches(pattern: string, packageName: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('/*')) return packageName.startsWith(pattern.slice(0, -1)) && !packageName.slice(pattern.length - 1).includes('/');
  return pattern === packageName;
}

/**
 * Creates a {@link TrustPolicy}. With no options, `@pio/*` packages are `verified` and every other package is
 * `untrusted`.
 *
 * @throws InvalidConfigError when the options do not match {@link trustPolicyOptionsSchema}.
 */
export function createTrustPolicy(options: TrustPolicyOptions = {}): TrustPolicy {
  const parsed = parseConfig(trustPolicyOptionsSchema, options, { source: 'trust policy options' });
  const levelOf = (packageName: string): TrustLevel =>
    parsed.packages[packageName] ??
    (parsed.allow.some((pattern) => matches(pattern, packageName)) ? parsed.allowedLevel : parsed.defaultLevel);
  return {
    options: parsed,
    levelOf,
    assertCanActivate({ packageName, pluginName, requiredTrust, level = levelOf(packageName) }) {
      const needed: TrustLevel = atLeast(requiredTrust, 'sandboxed') ? requiredTrust : 'sandboxed';
      if (!atLeast(level, needed)) {
        throw new TrustError({ packageName, level, requiredLevel: needed, action: `activate plugin "${pluginName}"` });
      }
      return level;
    },
  };
}
