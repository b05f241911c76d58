import type { Backend } from '../backend/backend.js';
import type { LoadModelOptions, ModelPluginInterface } from '../plugin/model-plugin-interface.js';
import { createReferenceBackend } from './reference-backend/create-reference-backend.js';

/** A plugin loaded for a test by {@link openTestPlugin}. */
export interface TestPlugin<Plugin> {
  /** The plugin, initialized and holding the model. */
  readonly plugin: Plugin;
  /** The backend it runs on. */
  readonly backend: Backend;
  /** Unloads the model and disposes the backend. */
  close(): Promise<void>;
}

/**
 * Creates a backend with `options.backend` (default: the reference backend) and a plugin with `create`, initializes
 * the plugin on it and loads `modelPath`: the set-up of a test that runs a plugin on a fixture model (test helper).
 */
export async function openTestPlugin<Plugin extends ModelPluginInterface>(
  create: () => Plugin,
  modelPath: string,
  options: { backend?: () => Backend | Promise<Backend>; load?: Omit<LoadModelOptions, 'modelPath'> } = {},
): Promise<TestPlugin<Plugin>> {
  const backend = await (options.backend ?? createReferenceBackend)();
  const plugin = create();
  try {
    await plugin.initialize({ backend });
    await plugin.loadModel({ ...options.load, modelPath });
  } catch (error) {
    backend.dispose();
    throw error;
  }
  return {
    plugin,
    backend,
    close: async () => {
      await plugin.cleanup();
      backend.dispose();
    },
  };
}
