import type { HostedModel, ModelHost } from '../host/model-host.js';
import { ProgressBar } from '../render/progress-bar.js';
import type { Terminal } from '../render/terminal.js';

/** Loads `source` into `host` under `id`, drawing the loading progress on `terminal`. */
export async function loadModel(
  host: ModelHost,
  terminal: Terminal,
  request: { id: string; source: string; pluginId?: string; signal?: AbortSignal },
): Promise<HostedModel> {
  const started = performance.now();
  const bar = new ProgressBar(terminal, `Loading ${request.source}`, 'items');
  const model = await host.registerModel({
    modelId: request.id,
    source: request.source,
    ...(request.pluginId === undefined ? {} : { pluginId: request.pluginId }),
    ...(request.signal === undefined ? {} : { signal: request.signal }),
    onProgress: (progress) => {
      if (progress.phase === 'weights' && progress.total) bar.update(progress.loaded, progress.total, progress.item ?? '');
    },
  });
  bar.finish(`Loaded ${request.source} with ${model.pluginName} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return model;
}
