import { WEIGHT_STORAGE_BYTES } from '@pio/core';
import type { CliCommand } from './command.js';
import { CliUsageError } from '../errors/cli-usage-error.js';
import { numberFlag, parseCommandArgs } from './parse-command-args.js';
import { formatTable } from '../render/format-table.js';
import { formatBytesShort } from '../render/format-bytes-short.js';
import type { HostedRuntime } from '../host/model-host.js';
import { describeRuntime } from './load-model.js';

/** `pio info <model>`: which plugin serves a model, its size, and whether it fits here. */
export const infoCommand: CliCommand = {
  name: 'info',
  summary: 'Describe a model folder or Hub id: plugin, config, parameters, memory, fit',
  help: `Usage: pio info <folder|org/name> [--expert-budget <n>] [--json]

Shows which plugin serves the model, a summary of its config.json, its parameter count, the memory
it needs with each weight storage type, and whether this machine can run it.

Options:
  --expert-budget <n>  Mixture-of-experts models: count n routed experts per MoE layer as resident (what
                       \`--expert-budget\` loads); the others are read from the model files on demand
  --json               Print the description as JSON
  -h, --help           Show this help`,
  async run({ args, out, services }) {
    const { values, positionals } = parseCommandArgs('info', args, { json: { type: 'boolean' }, 'expert-budget': { type: 'string' } });
    const source = positionals[0];
    if (!source || positionals.length > 1) throw new CliUsageError('info', 'give exactly one model folder or Hub id');
    const expertBudget = numberFlag('info', 'expert-budget', values['expert-budget'], 'int');
    if (expertBudget !== undefined && expertBudget < 1) throw new CliUsageError('info', `--expert-budget must be 1 or more, got ${expertBudget}`);
    const info = await services.describeModel(source, expertBudget === undefined ? {} : { expertBudget });
    if (values.json) {
      out.line(JSON.stringify(info, null, 2));
      return 0;
    }
    out.line(`${out.style('bold', 'Model')}      ${info.source}`);
    if (info.path !== info.source) out.line(`Folder     ${info.path}`);
    out.line(
      `Plugin     ${info.plugin ? `${info.plugin.name} ${info.plugin.version}${info.plugin.packageName ? ` (${info.plugin.packageName})` : ''}` : out.style('red', 'none installed serves it')}`,
    );
    if (info.architecture) out.line(`Arch       ${info.architecture}${info.modelType ? ` (${info.modelType})` : ''}`);
    if (info.parameters !== undefined) out.line(`Parameters ${formatCount(info.parameters)}`);
    if (info.summary.length > 0) {
      out.line('');
      out.line(out.style('bold', 'Config'));
      for (const row of formatTable(info.summary.map(([k, v]) => [`  ${k}`, v]))) out.line(row);
    }
    if (info.estimates.length > 0) {
      out.line('');
      out.line(out.style('bold', 'Memory'));
      const rows = [['  STORAGE', 'BYTES/W', 'WEIGHTS', 'RUNTIME', 'TOTAL']];
      for (const e of info.estimates) {
        rows.push([
          `  ${e.storage}`,
          WEIGHT_STORAGE_BYTES[e.storage].toFixed(2),
          formatBytesShort(e.weightBytes),
          `${formatBytesShort(e.runtimeBytes)} @ ${e.contextLength} tok`,
          formatBytesShort(e.totalBytes),
        ]);
      }
      for (const row of formatTable(rows)) out.line(row);
      const experts = info.estimates[0]?.experts;
      if (experts) {
        const each = info.estimates.map((e) => `${formatBytesShort(e.experts?.bytesPerExpert ?? 0)} ${e.storage}`).join(', ');
        out.line(
          `  Experts: ${experts.residentPerLayer} of ${experts.perLayer} routed experts resident per MoE layer (${experts.layers} layers; one expert ${each})` +
            (experts.residentPerLayer < experts.perLayer ? '; the others are read from the model files on demand' : '; --expert-budget <n> keeps fewer'),
        );
      }
    }
    out.line('');
    out.line(
      info.fit.ok
        ? `${out.style('green', 'Runs here')}: ${info.fit.storage} on ${info.fit.device}. ${info.fit.reason}${backendLine(info.fit)}`
        : `${out.style('red', 'Does not run here')}: ${info.fit.reason}`,
    );
    return 0;
  },
};

/** `\nBackend    ggml (ggml-cpu, 2 threads, float32 weights): the native ggml build loaded`, as the load line names it. */
function backendLine(fit: { readonly backend?: string; readonly runtime?: HostedRuntime }): string {
  if (fit.runtime === undefined) return fit.backend ? `\nBackend    ${fit.backend}` : '';
  // the reason starts with the backend's own `name (engine, threads)`: say it once, with the storage
  const why = fit.backend?.replace(/^\S+ \([^)]*\): /, '');
  return `\nBackend    ${describeRuntime(fit.runtime)}${why ? `: ${why}` : ''}`;
}

function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} K`;
  return String(n);
}
