import { createPluginManager, type Backend, type ExecutionLimitsInput, type PluginManager } from '@pio/core';
import { join } from 'node:path';
import { REPO_ROOT } from './run-pio.js';

/** Options of {@link createWorkspacePluginManager}. */
export interface WorkspacePluginManagerOptions {
  /** The manager's execution limits (queue, batch, timeouts, vision budget). */
  limits?: ExecutionLimitsInput;
  /** Folders the manager may read models from besides the repository (e.g. a temp copy of a fixture). */
  extraRoots?: readonly string[];
}

/**
 * A real PluginManager as `pio serve` builds one, finding the workspace's own plugin packages (`packages/*`, their
 * TypeScript sources) and reading models anywhere in the repository: the manager of the in-process fixture-model tests.
 */
export function createWorkspacePluginManager(backend: Backend, options: WorkspacePluginManagerOptions = {}): PluginManager {
  return createPluginManager({
    backend,
    cwd: REPO_ROOT,
    allowedRoots: [REPO_ROOT, ...(options.extraRoots ?? [])],
    searchPaths: [join(REPO_ROOT, 'packages')],
    preferSourceEntries: true,
    ...(options.limits ? { limits: options.limits } : {}),
  });
}
