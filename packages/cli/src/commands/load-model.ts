import type { HostedModel, HostedRuntime, ModelHost } from '../host/model-host.js';
import { ProgressBar } from '../render/progress-bar.js';
import { Spinner } from '../render/spinner.js';
import type { Terminal } from '../render/terminal.js';

/**
 * Loads `source` into `host` under `id`, drawing on `terminal`: a spinner until weights start to load, then a
 * progress bar over the tensors.
 */
export async function loadModel(
  host: ModelHost,
  terminal: Terminal,
  request: { id: string; source: string; pluginId?: string; signal?: AbortSignal },
): Promise<HostedModel> {
  const started = performance.now();
  const spinner = new Spinner(terminal);
  const bar = new ProgressBar(terminal, `Loading ${request.source}`, 'items');
  let spinning = true;
  if (terminal.live) spinner.start(`Loading ${request.source}`);
  try {
    const model = await host.registerModel({
      modelId: request.id,
      source: request.source,
      ...(request.pluginId === undefined ? {} : { pluginId: request.pluginId }),
      ...(request.signal === undefined ? {} : { signal: request.signal }),
      onProgress: (progress) => {
        if (progress.phase !== 'weights' || !progress.total) return;
        if (spinning) {
          spinner.stop();
          spinning = false;
        }
        bar.update(progress.loaded, progress.total, progress.item ?? '');
      },
    });
    spinner.stop();
    const where = describeRuntime(model.runtime);
    bar.finish(`Loaded ${request.source} with ${model.pluginName}${where ? ` on ${where}` : ''} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return model;
  } catch (error) {
    spinner.stop();
    terminal.clearLine();
    throw error;
  }
}

/** `ggml (ggml-cpu, 2 threads, float32 weights)`, or the parts the host knows. */
export function describeRuntime(runtime: HostedRuntime | undefined): string {
  if (runtime === undefined) return '';
  const details = [
    ...(runtime.engine === undefined ? [runtime.device] : [runtime.engine]),
    ...(runtime.threads === undefined ? [] : [`${runtime.threads} thread${runtime.threads === 1 ? '' : 's'}`]),
    `${runtime.storage} weights`,
  ];
  return `${runtime.backend ?? runtime.device} (${details.join(', ')})`;
}
