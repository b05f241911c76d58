import type { CliCommand } from './command.js';
import { CliUsageError } from '../errors/cli-usage-error.js';
import { parseCommandArgs } from './parse-command-args.js';
import { ProgressBar } from '../render/progress-bar.js';

/** `pio pull <org/name>`: download a model into the Hugging Face cache, resuming. */
export const pullCommand: CliCommand = {
  name: 'pull',
  summary: 'Download a model from the Hugging Face Hub into the standard cache',
  help: `Usage: pio pull <org/name> [--revision <rev>]

Downloads the model's config, tokenizer and safetensors files into the Hugging Face cache
(HF_HUB_CACHE, HF_HOME/hub or ~/.cache/huggingface/hub), resuming interrupted files, and prints the
snapshot folder. Set HF_TOKEN for gated models, HF_ENDPOINT for a mirror of the Hub,
HF_HUB_DOWNLOAD_TIMEOUT for the seconds to wait for data (default 30). A failure names its cause.

Options:
  --revision <rev>  Branch, tag or commit (default main)
  -h, --help        Show this help`,
  async run({ args, out, err, io, services }) {
    const { values, positionals } = parseCommandArgs('pull', args, { revision: { type: 'string' } });
    const repoId = positionals[0];
    if (!repoId || positionals.length > 1 || !/^[\w.-]+\/[\w.-]+$/.test(repoId)) {
      throw new CliUsageError('pull', 'give one Hub repository id, like Qwen/Qwen3-VL-2B-Instruct');
    }
    const controller = new AbortController();
    const release = io.onInterrupt(() => controller.abort(new Error('Interrupted; run the same command again to resume.')));
    const bar = new ProgressBar(err, `Pulling ${repoId}`);
    try {
      const { path } = await services.downloadModel(repoId, {
        ...(values.revision === undefined ? {} : { revision: values.revision }),
        signal: controller.signal,
        onProgress: (p) => {
          if (p.type === 'file-start' && p.resumedFrom) err.info(`resuming ${p.file} from ${p.resumedFrom} bytes`);
          if (p.type === 'retry') err.info(`connection lost on ${p.file}; retrying`);
          bar.update(p.bytes, p.totalBytes, `${p.filesDone}/${p.filesTotal} files ${p.file}`);
        },
      });
      bar.finish(`Pulled ${repoId}`);
      out.line(path);
      return 0;
    } finally {
      release();
    }
  },
};
