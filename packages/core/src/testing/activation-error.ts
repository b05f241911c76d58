import type { ModelPluginInterface } from '../plugin/model-plugin-interface.js';
import { createPluginManager } from '../plugin-manager/create-plugin-manager.js';
import { createReferenceBackend } from './reference-backend/create-reference-backend.js';

/**
 * Registers the plugin `create` makes in a fresh manager (reference backend, `sandboxed` trust, files confined to
 * `allowedRoots`, the first being the working folder), activates it on `modelPath`, and returns the error activation
 * failed with, or `undefined` when the model loaded; the manager is disposed either way (test helper; any framework).
 */
export async function activationError(create: () => ModelPluginInterface, modelPath: string, allowedRoots: readonly string[]): Promise<unknown> {
  const manager = createPluginManager({ cwd: allowedRoots[0], allowedRoots: [...allowedRoots], backend: createReferenceBackend() });
  const { name } = await manager.registerPlugin(create, undefined, { trustLevel: 'sandboxed' });
  try {
    await manager.activatePlugin(name, { modelPath });
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await manager.dispose();
  }
}
