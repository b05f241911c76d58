import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { CliUsageError } from '../errors/cli-usage-error.js';
import { packageTemplates } from './package-templates.js';
import { pluginNames } from './plugin-names.js';
import { sourceTemplates } from './source-templates.js';
import { testTemplate } from './test-template.js';

/** Options of {@link scaffoldPlugin}. */
export interface ScaffoldPluginOptions {
  /** Plugin name, kebab-case. */
  name: string;
  /** Folder relative paths are resolved against. */
  cwd: string;
  /** Target folder; default `pio-plugin-<name>`. */
  dir?: string;
  /** Dependency spec for `@pio/core`; default `^<installed core version>`. */
  coreSpec?: string;
  /** Write into a non-empty folder. */
  force?: boolean;
}

/** Writes a new plugin package; returns its folder and the files written (relative). */
export async function scaffoldPlugin(options: ScaffoldPluginOptions): Promise<{ dir: string; files: string[] }> {
  const names = pluginNames(options.name);
  const dir = resolve(options.cwd, options.dir ?? names.packageName);
  const existing = await readdir(dir).catch(() => [] as string[]);
  if (existing.length > 0 && !options.force) {
    throw new CliUsageError('new', `${dir} is not empty; choose another --dir or pass --force`);
  }
  const coreSpec = options.coreSpec ?? `^${coreVersion()}`;
  const files = { ...packageTemplates(names, coreSpec), ...sourceTemplates(names), ...testTemplate(names) };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
  return { dir, files: Object.keys(files) };
}

function coreVersion(): string {
  return (createRequire(import.meta.url)('@pio/core/package.json') as { version: string }).version;
}
