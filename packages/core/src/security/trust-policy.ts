import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { parseConfig } from '../config/parse-config.js';
import { TrustError } from '../errors/trust-error.js';
import { TRUST_LEVELS, type TrustLevel } from '../plugin/trust-level.js';
import { coreInstallationRoot, coreWorkspacePackagesDir, isInstalledUnder } from './installation-root.js';

const trustLevelSchema = z.enum(TRUST_LEVELS as [TrustLevel, ...TrustLevel[]]);

/** An npm package name, or a scope pattern such as `@pio/*`, or `*` for every package. */
const packagePatternSchema = z.string().refine((s) => /^(\*|(@[a-z0-9][a-z0-9._~-]*\/)?([a-z0-9][a-z0-9._~-]*|\*))$/.test(s), {
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
  /** Levels of individual packages, wherever they are installed; these win over `allow` and `defaultLevel`. */
  packages: z.record(z.string(), trustLevelSchema).default({}),
  /**
   * Installations whose packages `allow` applies to (see `isInstalledUnder`): a discovered package matches `allow` only
   * when it lies inside one of these folders under its own name. Default: the installation `@pio/core` runs from, so a
   * package merely calling itself `@pio/...`, or one in an ancestor's `node_modules`, is not trusted by its name.
   */
  trustedRoots: z.array(z.string()).optional(),
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
  /**
   * The level of a package: its own entry in `packages`, else `allowedLevel` when `allow` matches (and, for a package
   * found on disk, `packageDir` lies in a trusted installation under its own name), else `defaultLevel`. Without
   * `packageDir` (a plugin registered from code by the application) only the name is checked.
   */
  levelOf(packageName: string, origin?: { packageDir?: string }): TrustLevel;
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
  const roots = (parsed.trustedRoots ?? [coreInstallationRoot()]).map((root) => {
    try {
      return realpathSync(resolve(root));
    } catch {
      return resolve(root);
    }
  });
  const workspace = coreWorkspacePackagesDir();
  const levelOf = (packageName: string, origin: { packageDir?: string } = {}): TrustLevel => {
    const own = parsed.packages[packageName];
    if (own !== undefined) return own;
    const named = parsed.allow.some((pattern) => matches(pattern, packageName));
    const located = origin.packageDir === undefined || isInstalledUnder(roots, origin.packageDir, packageName, workspace);
    return named && located ? parsed.allowedLevel : parsed.defaultLevel;
  };
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
