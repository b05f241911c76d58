import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Loads a module by its package specifier (e.g. `@tensorflow/tfjs-node`) and resolves to its namespace, or rejects
 * when it is not installed or fails to load. Injected in tests to simulate installed and missing engines.
 */
export type ModuleResolver = (specifier: string) => Promise<unknown>;

/**
 * The default {@link ModuleResolver}: resolves `specifier` from this package first, then from the current working
 * directory (an application may install the optional native engines next to itself), and imports the file found.
 */
export const defaultModuleResolver: ModuleResolver = async (specifier) => {
  const bases = [import.meta.url, pathToFileURL(join(process.cwd(), 'package.json')).href];
  let lastError: unknown;
  for (const base of bases) {
    let path: string;
    try {
      path = createRequire(base).resolve(specifier);
    } catch (error) {
      lastError = error;
      continue;
    }
    return import(pathToFileURL(path).href);
  }
  throw lastError;
};
