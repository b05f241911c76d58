import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { isHfRepoId } from '@pio/core/weights';

/** A model folder found on this machine by {@link scanLocalModels}. */
export interface LocalModelFolder {
  /** What to pass to `--model`: the Hub id (`org/name`) when the layout tells it, else the folder's path. */
  readonly id: string;
  /** Absolute path of the folder (holds config.json). */
  readonly path: string;
  /** `models-dir`: under `PIO_MODELS_DIR` or a `--dir` folder; `hf-cache`: a Hugging Face cache snapshot. */
  readonly source: 'models-dir' | 'hf-cache';
  /** The snapshot's commit (`hf-cache`). */
  readonly revision?: string;
  /** The cache refs (branches, tags) that point at this snapshot (`hf-cache`). */
  readonly refs?: readonly string[];
  /** Bytes on disk: every file the folder reaches, a file reached twice (hard link, two symlinks to one blob) once. */
  readonly sizeBytes: number;
}

/** What {@link scanLocalModels} found. */
export interface LocalModelScan {
  readonly models: readonly LocalModelFolder[];
  /** Bytes of all listed models together, each file (a shared Hub-cache blob) counted once. */
  readonly totalBytes: number;
}

/** Where {@link scanLocalModels} looks. */
export interface ScanLocalModelsOptions {
  /** Folders laid out like `PIO_MODELS_DIR` (`<dir>/<name>`, `<dir>/<org>--<name>` or `<dir>/<org>/<name>`), absolute or against the process's cwd. */
  readonly modelsDirs: readonly string[];
  /** A Hugging Face hub cache folder (`models--<org>--<name>/snapshots/<commit>`), if any. */
  readonly hubCacheDir?: string;
}

/** One file's identity and size, as a file reached through symlinks resolves to it. */
type FileSizes = Map<string, number>;

const isFile = (path: string): Promise<boolean> =>
  stat(path).then(
    (s) => s.isFile(),
    () => false,
  );

const listDir = (path: string): Promise<string[]> =>
  readdir(path).then(
    (names) => names.filter((name) => !name.startsWith('.')).sort(),
    () => [],
  );

/**
 * Lists the model folders (folders holding a config.json) under `modelsDirs` and in the Hugging Face cache, with their
 * size on disk. Symlinks are followed (the Hub cache's snapshots link to its blobs) and each file is counted once per
 * folder, and once in the total, by its device and inode. Missing folders are empty; unreadable entries are skipped.
 */
export async function scanLocalModels(options: ScanLocalModelsOptions): Promise<LocalModelScan> {
  const all: FileSizes = new Map();
  const models: LocalModelFolder[] = [];
  const add = async (folder: Omit<LocalModelFolder, 'sizeBytes'>): Promise<void> => {
    const files: FileSizes = new Map();
    await collectFiles(folder.path, files, new Set());
    for (const [key, size] of files) all.set(key, size);
    models.push({ ...folder, sizeBytes: sum(files) });
  };

  for (const dir of options.modelsDirs.map((d) => resolve(d))) {
    for (const name of await listDir(dir)) {
      const path = join(dir, name);
      if (await isFile(join(path, 'config.json'))) {
        // `org--name` is found by `--model org/name` (resolveModelPath); any other folder by its path
        const parts = name.split('--');
        const hubId = parts.length === 2 ? parts.join('/') : '';
        await add({ id: isHfRepoId(hubId) ? hubId : path, path, source: 'models-dir' });
        continue;
      }
      for (const inner of await listDir(path)) {
        const innerPath = join(path, inner);
        const hubId = `${name}/${inner}`;
        if (await isFile(join(innerPath, 'config.json'))) await add({ id: isHfRepoId(hubId) ? hubId : innerPath, path: innerPath, source: 'models-dir' });
      }
    }
  }

  if (options.hubCacheDir !== undefined) {
    const cache = resolve(options.hubCacheDir);
    for (const name of await listDir(cache)) {
      if (!name.startsWith('models--')) continue;
      const repoId = name.slice('models--'.length).split('--').join('/');
      const refs = await readRefs(join(cache, name, 'refs'));
      for (const commit of await listDir(join(cache, name, 'snapshots'))) {
        const path = join(cache, name, 'snapshots', commit);
        if (!(await isFile(join(path, 'config.json')))) continue;
        const pointing = [...refs].filter(([, target]) => target === commit).map(([ref]) => ref);
        await add({ id: repoId, path, source: 'hf-cache', revision: commit, refs: pointing });
      }
    }
  }
  return { models, totalBytes: sum(all) };
}

/** Adds every file under `path` (following symlinks; a directory reached twice is walked once) to `files`. */
async function collectFiles(path: string, files: FileSizes, seenDirs: Set<string>): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return; // a dangling link (an unfinished download) or a vanished file
  const key = `${info.dev}:${info.ino}`;
  if (info.isFile()) {
    files.set(key, info.size);
    return;
  }
  if (!info.isDirectory() || seenDirs.has(key)) return;
  seenDirs.add(key);
  const names = await readdir(path).catch(() => [] as string[]);
  for (const name of names) await collectFiles(join(path, name), files, seenDirs);
}

/** The cache's refs (`main`, `pr/1`, tags) and the commit each names. */
async function readRefs(refsDir: string): Promise<Map<string, string>> {
  const refs = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const name of await listDir(dir)) {
      const path = join(dir, name);
      const info = await stat(path).catch(() => undefined);
      if (info?.isDirectory()) await walk(path);
      else if (info?.isFile()) {
        const commit = (await readFile(path, 'utf8').catch(() => '')).trim();
        if (commit) refs.set(relative(refsDir, path).split(sep).join('/'), commit);
      }
    }
  };
  await walk(refsDir);
  return refs;
}

function sum(files: FileSizes): number {
  let total = 0;
  for (const size of files.values()) total += size;
  return total;
}
