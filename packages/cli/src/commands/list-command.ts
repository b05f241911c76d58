import type { CliCommand } from './command.js';
import { parseCommandArgs } from './parse-command-args.js';
import { formatTable } from '../render/format-table.js';

/** `pio list`: the installed plugins. */
export const listCommand: CliCommand = {
  name: 'list',
  summary: 'List installed model plugins',
  help: `Usage: pio list [--json]

Lists the installed PIO plugins (npm packages with the "pio-plugin" keyword): name, version,
modalities, architectures, package and trust level (untrusted plugins are not run).

Options:
  --json     Print the list as JSON
  -h, --help Show this help`,
  async run({ args, out, err, services }) {
    const { values } = parseCommandArgs('list', args, { json: { type: 'boolean' } });
    const { plugins, problems } = await services.listPlugins();
    if (values.json) {
      out.line(JSON.stringify({ plugins, problems }, null, 2));
      return 0;
    }
    if (plugins.length === 0) {
      out.line('No PIO plugins installed. Install one, e.g. `npm install @pio/plugin-qwen3-vl`.');
    } else {
      const rows = [['NAME', 'VERSION', 'INPUT', 'OUTPUT', 'ARCHITECTURES', 'PACKAGE', 'TRUST']];
      for (const plugin of plugins) {
        rows.push([
          plugin.name,
          plugin.version,
          plugin.modalities.input.join(','),
          plugin.modalities.output.join(','),
          plugin.architectures.join(','),
          plugin.packageName ?? '-',
          plugin.trustLevel ?? '-',
        ]);
      }
      const [header, ...body] = formatTable(rows);
      out.line(out.style('bold', header ?? ''));
      for (const row of body) out.line(row);
    }
    if (plugins.some((plugin) => plugin.trustLevel === 'untrusted')) {
      err.line(err.style('yellow', 'note: untrusted plugins are not run; trust a package with PIO_TRUST=<package name>'));
    }
    for (const problem of problems) err.line(err.style('yellow', `warning: ${problem}`));
    return 0;
  },
};
