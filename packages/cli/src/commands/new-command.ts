import type { CliCommand } from './command.js';
import { CliUsageError } from '../errors/cli-usage-error.js';
import { parseCommandArgs } from './parse-command-args.js';
import { scaffoldPlugin } from '../scaffold/scaffold-plugin.js';

/** `pio new plugin <name>`: scaffolds a plugin package. */
export const newCommand: CliCommand = {
  name: 'new',
  summary: 'Scaffold a new model plugin package',
  help: `Usage: pio new plugin <name> [--dir <folder>] [--core <version-or-spec>]

Creates <folder> (default ./pio-plugin-<name>) with a plugin package: package.json with the
"pio-plugin" keyword and the "pio" manifest, a zod config schema, a model over the backend
building blocks, the plugin class, its factory, and a test that builds a tiny checkpoint and
checks the logits. Then: cd <folder> && npm install && npm test && npm run build.

Options:
  --dir <folder>   Where to create it
  --core <spec>    Dependency spec for @pio/core (default ^<this CLI's core version>; e.g. file:../core)
  --force          Write into a folder that is not empty
  -h, --help       Show this help`,
  async run({ args, io, out }) {
    const { values, positionals } = parseCommandArgs('new', args, {
      dir: { type: 'string' },
      core: { type: 'string' },
      force: { type: 'boolean' },
    });
    const [kind, name, ...extra] = positionals;
    if (kind !== 'plugin') throw new CliUsageError('new', `unknown kind '${kind ?? ''}': only 'pio new plugin <name>' exists`);
    if (!name || extra.length > 0) throw new CliUsageError('new', 'give one plugin name, e.g. pio new plugin my-model');
    if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new CliUsageError('new', `plugin names use lowercase letters, digits and dashes, got '${name}'`);
    const result = await scaffoldPlugin({
      name,
      cwd: io.cwd,
      ...(values.dir === undefined ? {} : { dir: values.dir }),
      ...(values.core === undefined ? {} : { coreSpec: values.core }),
      force: values.force === true,
    });
    out.line(`Created ${result.dir} (${result.files.length} files)`);
    for (const file of result.files) out.line(`  ${file}`);
    out.line('');
    out.line(`Next: cd ${result.dir} && npm install && npm test && npm run build`);
    return 0;
  },
};
