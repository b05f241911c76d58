import { basename, dirname, join } from 'node:path';
import type { ModelPluginInterface } from '../plugin/model-plugin-interface.js';
import { activationError } from './activation-error.js';

/**
 * The path-segment rule of a plugin's loading (test helper; any framework): `modelDir`, a model folder directly inside
 * `root`, must load when named plainly and be refused (`PathNotAllowedError`, reason `parent-segment`) when named
 * through a `..` segment, although that path lands on the same folder. Returns one line per violation; empty when the
 * plugin conforms.
 */
export async function parentSegmentProblems(create: () => ModelPluginInterface, modelDir: string, root: string): Promise<string[]> {
  const problems: string[] = [];
  const viaParent = `${root}/../${basename(root)}/${basename(modelDir)}`;
  if (join(dirname(root), basename(root), basename(modelDir)) !== modelDir) problems.push(`${modelDir} is not directly inside ${root}`);
  const refused = (await activationError(create, viaParent, [root])) as { code?: unknown; reason?: unknown } | undefined;
  if (refused?.code !== 'PIO_PATH_NOT_ALLOWED' || refused.reason !== 'parent-segment') problems.push(`${viaParent} was not refused: ${String(refused)}`);
  const loaded = await activationError(create, modelDir, [root]);
  if (loaded !== undefined) problems.push(`${modelDir} did not load: ${String(loaded)}`);
  return problems;
}
