import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { ModelNotFoundError } from '../errors/model-not-found-error.js';
import { hfHubCacheDir, hfRepoFolderName, isCommitHash, isHfRepoId, type ModelEnv } from './hf-cache.js';

/** Options for {@link resolveModelPath}. */
export interface ResolveModelPathOptions {
  /** Hugging Face hub cache folder. Default: from `env` (see `hfHubCacheDir`). */
  cacheDir?: string;
  /** PIO's own models folder. Default: `env.PIO_MODELS_DIR`. */
  modelsDir?: string;
  /** Branch, tag or commit to use from the Hugging Face cache. Default `main`. */
  revision?: string;
  /** Environment variables to read. Default `process.env`. */
  env?: ModelEnv;
}

/** Where {@link resolveModelPath} found a model. */
export interface ResolvedModel {
  /** Absolute path of the model folder. */
  path: string;
  /** `path`: an explicit folder; `pio-models-dir`: under `PIO_MODELS_DIR`; `hf-cache`: a Hugging Face cache snapshot. */
  source: 'path' | 'pio-models-dir' | 'hf-cache';
  /** The repository id, when `idOrPath` was one. */
  repoId?: string;
  /** The commit of the snapshot (source `hf-cache`). */
  revision?: string;
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/**
 * Finds a model folder on this machine, in order: an existing folder `idOrPath`; for a repository id `org/name`,
 * `PIO_MODELS_DIR/org/name` and `PIO_MODELS_DIR/org--name`; then the Hugging Face cache snapshot
 * `models--org--name/snapshots/<commit>` where `<commit>` is read from `refs/<revision>` (or is the revision).
 * Throws `ModelNotFoundError` listing every place looked at.
 */
export async function resolveModelPath(idOrPath: string, options: ResolveModelPathOptions = {}): Promise<ResolvedModel> {
  const env = options.env ?? process.env;
  const home = env.HOME || homedir();
  const expanded = idOrPath === '~' ? home : idOrPath.startsWith('~/') ? join(home, idOrPath.slice(2)) : idOrPath;
  const searched: string[] = [];
  const explicit = resolve(expanded);
  searched.push(explicit);
  if (await isDirectory(explicit)) return { path: explicit, source: 'path' };

  if (!isHfRepoId(idOrPath)) throw new ModelNotFoundError({ idOrPath, searched });
  const repoId = idOrPath;
  const [org, name] = repoId.split('/');

  const modelsDir = options.modelsDir ?? env.PIO_MODELS_DIR;
  if (modelsDir) {
    for (const candidate of [join(modelsDir, org, name), join(modelsDir, `${org}--${name}`)]) {
      const path = resolve(candidate);
      searched.push(path);
      if (await isDirectory(path)) return { path, source: 'pio-models-dir', repoId };
    }
  }

  const repoDir = resolve(options.cacheDir ?? hfHubCacheDir(env), hfRepoFolderName(repoId));
  const revision = options.revision ?? 'main';
  let commit: string | undefined = isCommitHash(revision) ? revision : undefined;
  if (commit === undefined && !revision.split(/[\\/]/).includes('..')) {
    const ref = join(repoDir, 'refs', revision);
    searched.push(ref);
    commit = await readFile(ref, 'utf8').then(
      (text) => text.trim(),
      () => undefined,
    );
  }
  if (commit !== undefined && isCommitHash(commit)) {
    const snapshot = join(repoDir, 'snapshots', commit);
    searched.push(snapshot);
    if (await isDirectory(snapshot)) return { path: snapshot, source: 'hf-cache', repoId, revision: commit };
  }
  throw new ModelNotFoundError({ idOrPath, searched, repoId });
}
