import type { Backend } from '../backend/backend.js';
import type { TextModelPluginInterface } from '../plugin/text-model-plugin-interface.js';
import { callTextPluginMethods } from './call-text-plugin-methods.js';
import { createReferenceBackend } from './reference-backend/create-reference-backend.js';

/**
 * Checks a text plugin without a loaded model in its three idle states — fresh (not initialized), initialized, and
 * cleaned up after loading `modelPath` (on reference backends) — with {@link callTextPluginMethods}: every promise and
 * stream method, `streamBatch` rows included, must reject with `PluginStateError` (`loadModel` of `missingFolder` once
 * initialized may reject with its own error), and none may throw synchronously or resolve. Returns one line per
 * violation; empty when the plugin conforms. Test helper; any test framework.
 */
export async function unloadedPluginProblems(create: () => TextModelPluginInterface, modelPath: string, missingFolder: string): Promise<string[]> {
  const backends: Backend[] = [];
  const initialized = async (plugin: TextModelPluginInterface) => {
    const backend = createReferenceBackend();
    backends.push(backend);
    await plugin.initialize({ backend });
    return plugin;
  };
  try {
    const states = { fresh: create(), initialized: await initialized(create()), cleaned: await initialized(create()) };
    await states.cleaned.loadModel({ modelPath });
    await states.cleaned.cleanup();
    const problems: string[] = [];
    for (const [state, plugin] of Object.entries(states)) {
      const outcomes = await callTextPluginMethods(plugin, missingFolder);
      if (!outcomes.some((o) => o.method === 'streamBatch[1]')) problems.push(`${state}: no outcome for the second row of streamBatch`);
      for (const { method, threw, resolved, rejected } of outcomes) {
        if (threw !== undefined) problems.push(`${state} ${method} threw synchronously: ${String(threw)}`);
        else if (resolved) problems.push(`${state} ${method} resolved`);
        else if ((method !== 'loadModel' || state === 'fresh') && (rejected as { code?: unknown } | undefined)?.code !== 'PIO_PLUGIN_STATE')
          problems.push(`${state} ${method} rejected with ${String(rejected)}, not PluginStateError`);
      }
    }
    return problems;
  } finally {
    for (const backend of backends) backend.dispose();
  }
}
