import type { TrustLevel } from '../plugin/trust-level.js';
import { createPathGuard } from './path-guard.js';
import { resolveRealPath } from './resolve-real-path.js';
import { TRUST_PATH_SCOPES } from './trust-policy.js';

/** Options of {@link createPathValidator}. */
export interface PathValidatorOptions {
  /** The plugin's trust level. */
  level: TrustLevel;
  /** The manager's allowed roots. */
  allowedRoots: readonly string[];
  /** The Hugging Face Hub cache folder. */
  hubCacheDir: string;
}

/**
 * The `validatePath` a plugin at `level` receives (see `PluginInitializeOptions`), following
 * {@link TRUST_PATH_SCOPES}: `sandboxed` plugins are confined to the allowed roots, `verified` ones also to the
 * Hub cache, `trusted` ones only get paths resolved, and `untrusted` ones are refused every path.
 */
export function createPathValidator(options: PathValidatorOptions): (path: string) => Promise<string> {
  switch (TRUST_PATH_SCOPES[options.level]) {
    case 'any':
      return resolveRealPath;
    case 'allowed-roots-and-hub-cache':
      return createPathGuard({ allowedRoots: [...options.allowedRoots, options.hubCacheDir] }).validate;
    case 'allowed-roots':
      return createPathGuard({ allowedRoots: options.allowedRoots }).validate;
    case 'none':
      return createPathGuard({ allowedRoots: [] }).validate;
  }
}
