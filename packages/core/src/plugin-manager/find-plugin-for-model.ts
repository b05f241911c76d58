import { readModelConfig } from '../config/read-model-config.js';
import type { ModelPluginInterface } from '../plugin/model-plugin-interface.js';
import type { ManagerContext } from './manager-context.js';
import type { PluginEntry } from './plugin-entry.js';
import { pluginInfo } from './plugin-info.js';
import type { PluginInfo } from './plugin-manager.js';

/**
 * The registered plugin for the model in `modelPath` (internal to the manager). Reads its config.json (the path
 * must pass the `verified` path check: allowed roots or Hub cache), then ranks plugins whose manifest lists one of
 * the config's `architectures` (2 points) and its `model_type` (1 point). A plugin whose code is loaded must also
 * accept the config through `supportsConfig`. Ties go to the plugin registered first.
 *
 * @throws PathNotAllowedError, ConfigFileError, InvalidConfigError from reading config.json.
 */
export async function findPluginForModel(entries: readonly PluginEntry[], modelPath: string, ctx: ManagerContext): Promise<PluginInfo | undefined> {
  const config = await readModelConfig(modelPath, { validatePath: ctx.validatorFor('verified') });
  const architectures = config.architectures ?? [];
  let best: { entry: PluginEntry; score: number } | undefined;
  for (const entry of entries) {
    const archScore = entry.metadata.architectures.some((a) => architectures.includes(a)) ? 2 : 0;
    const typeScore = entry.metadata.modelTypes.includes(config.model_type) ? 1 : 0;
    const score = archScore + typeScore;
    if (score === 0 || (best !== undefined && score <= best.score)) continue;
    const code: ModelPluginInterface | undefined = entry.active?.plugin ?? entry.reusable ?? entry.spare;
    if (code !== undefined) {
      let supported = false;
      try {
        supported = code.supportsConfig(config);
      } catch {
        supported = false;
      }
      if (!supported) continue;
    }
    best = { entry, score };
  }
  return best === undefined ? undefined : pluginInfo(best.entry, ctx.trustLevelOf(best.entry));
}
