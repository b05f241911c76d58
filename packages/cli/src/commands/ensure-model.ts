import { isHfRepoId } from '@pio/core/weights';
import { ProgressBar } from '../render/progress-bar.js';
import type { Terminal } from '../render/terminal.js';
import type { CliServices } from '../services/cli-services.js';

/**
 * The model to load for `source`, downloading it first when it is a Hub id (`org/name`) found nowhere on this machine
 * (like `ollama run`): into the Hugging Face cache, with a progress bar, resuming interrupted files. A folder, or a Hub
 * id already in `PIO_MODELS_DIR` or the cache, is returned as given.
 */
export async function ensureModel(services: CliServices, terminal: Terminal, request: { source: string; signal?: AbortSignal }): Promise<string> {
  const { source } = request;
  // a folder or id not found here fails in the loader with the places looked at; only a Hub id is downloaded
  if (!isHfRepoId(source) || (await services.hasModel(source))) return source;
  terminal.info(`${source} is not on this machine: downloading it into the Hugging Face cache`);
  const bar = new ProgressBar(terminal, `Pulling ${source}`);
  const { path } = await services.downloadModel(source, {
    ...(request.signal === undefined ? {} : { signal: request.signal }),
    onProgress: (p) => {
      if (p.type === 'retry') terminal.info(`connection lost on ${p.file}; retrying`);
      bar.update(p.bytes, p.totalBytes, `${p.filesDone}/${p.filesTotal} files ${p.file}`);
    },
  });
  bar.finish(`Pulled ${source}`);
  return path;
}
