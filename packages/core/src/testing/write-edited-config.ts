import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Writes `dir/config.json` as the `config.json` of `sourceDir` changed by `edit`, and returns `dir` (test helper). */
export async function writeEditedConfig(dir: string, sourceDir: string, edit: (config: Record<string, any>) => void): Promise<string> {
  const config = JSON.parse(await readFile(join(sourceDir, 'config.json'), 'utf8')) as Record<string, any>;
  edit(config);
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}
