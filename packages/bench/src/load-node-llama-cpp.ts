import { NodeLlamaCppMissingError } from './errors/node-llama-cpp-missing-error.js';

/**
 * Imports `node-llama-cpp` (`() => import('node-llama-cpp')`). Pass one from the package that lists it as a
 * dependency, so the import resolves from there; tests pass one that fails.
 */
export type NodeLlamaCppImporter = () => Promise<unknown>;

/** The part of node-llama-cpp the benchmark uses. */
export type NodeLlamaCppModule = typeof import('node-llama-cpp');

/** Imports node-llama-cpp from this package's location (where it is a development dependency). */
export const importNodeLlamaCppHere: NodeLlamaCppImporter = () => import('node-llama-cpp');

/**
 * Loads node-llama-cpp through `importer`; a missing package (or one without `getLlama`) is a
 * {@link NodeLlamaCppMissingError} that says what to install. Other import failures are rethrown.
 */
export async function loadNodeLlamaCpp(importer: NodeLlamaCppImporter = importNodeLlamaCppHere): Promise<NodeLlamaCppModule> {
  let module: unknown;
  try {
    module = await importer();
  } catch (cause) {
    const code = (cause as { code?: unknown } | null)?.code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new NodeLlamaCppMissingError({ reason: 'not installed' }, { cause });
    throw cause;
  }
  if (typeof (module as { getLlama?: unknown } | null)?.getLlama !== 'function')
    throw new NodeLlamaCppMissingError({ reason: 'the module has no getLlama export' });
  return module as NodeLlamaCppModule;
}
