import { relative } from 'node:path';
import type { CliCommand } from './command.js';
import { CliUsageError } from '../errors/cli-usage-error.js';
import { parseCommandArgs } from './parse-command-args.js';
import { formatTable } from '../render/format-table.js';
import { formatBytesShort } from '../render/format-bytes-short.js';

/** `pio models`: the model folders on this machine, with size and the plugin that serves each. */
export const modelsCommand: CliCommand = {
  name: 'models',
  summary: 'List the models on this machine (PIO_MODELS_DIR, Hugging Face cache) with size and plugin',
  help: `Usage: pio models [--json]

Lists the model folders (folders with a config.json) in PIO_MODELS_DIR (<dir>/<name>, <dir>/<org>--<name>
or <dir>/<org>/<name>) and in the Hugging Face cache (HF_HUB_CACHE, HF_HOME/hub or
~/.cache/huggingface/hub; one row per downloaded snapshot): what to pass to --model, the cache
revision, the size on disk (a file shared by two snapshots is counted once in the total), and the
installed plugin that serves it ("none" when no plugin does; see pio list).

Options:
  --json     Print the list as JSON (models, totalBytes, searched)
  -h, --help Show this help`,
  async run({ args, out, err, io, services }) {
    const { values, positionals } = parseCommandArgs('models', args, { json: { type: 'boolean' } });
    if (positionals.length > 0) throw new CliUsageError('models', `takes no arguments, got '${positionals[0]}'`);
    const list = await services.listLocalModels();
    if (values.json) {
      out.line(JSON.stringify(list, null, 2));
      return 0;
    }
    if (list.models.length === 0) {
      out.line(`No models found in ${list.searched.join(' or ')}. Download one with \`pio pull <org/name>\`, or set PIO_MODELS_DIR.`);
      return 0;
    }
    const shown = (path: string): string => {
      const rel = relative(io.cwd, path);
      return rel && !rel.startsWith('..') ? rel : path;
    };
    const rows = [['MODEL', 'REVISION', 'SIZE', 'PLUGIN', 'FOLDER']];
    for (const model of list.models) {
      const revision = model.revision === undefined ? '-' : [model.revision.slice(0, 8), ...(model.refs ?? [])].join(' ');
      rows.push([
        model.id === model.path ? shown(model.path) : model.id,
        revision,
        formatBytesShort(model.sizeBytes),
        model.plugin ? model.plugin.name : 'none',
        shown(model.path),
      ]);
    }
    const [header, ...body] = formatTable(rows);
    out.line(out.style('bold', header ?? ''));
    for (const row of body) out.line(row);
    out.line(`${list.models.length} model${list.models.length === 1 ? '' : 's'}, ${formatBytesShort(list.totalBytes)} on disk`);
    for (const model of list.models) {
      if (model.problem) err.line(err.style('yellow', `warning: ${shown(model.path)}: ${model.problem}`));
    }
    return 0;
  },
};
