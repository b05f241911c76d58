import { access, readdir } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { HostDType, HostTensor } from '../backend/host-tensor.js';
import { CheckpointError } from '../errors/checkpoint-error.js';
import { TensorNotFoundError } from '../errors/tensor-not-found-error.js';
import type { Checkpoint } from './checkpoint.js';
import { readCheckpointIndex, SAFETENSORS_INDEX_FILE, SAFETENSORS_SINGLE_FILE } from './checkpoint-index.js';
import { openSafetensors, type SafetensorsFile } from './safetensors-file.js';
import type { TensorInfo } from './tensor-info.js';

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Options of {@link openCheckpoint}. */
export interface OpenCheckpointOptions {
  /**
   * The path guard every file (the single file, the index, each shard) goes through before it is opened, after
   * symlinks are resolved (a plugin passes its `validatePath`); its `PathNotAllowedError` is thrown as is.
   */
  validatePath?: (path: string) => Promise<string>;
}

/**
 * Opens the checkpoint of a model folder: `model.safetensors`, else the shards listed by
 * `model.safetensors.index.json` (as transformers looks them up).
 *
 * Validates every shard header, that every shard named by the index exists inside the folder, that every tensor
 * of the index is in its shard, and that no tensor is stored in two shards. Throws `CheckpointError` or
 * `SafetensorsFormatError`.
 */
export async function openCheckpoint(modelDir: string, options: OpenCheckpointOptions = {}): Promise<Checkpoint> {
  const dir = resolve(modelDir);
  const guard = options.validatePath ?? (async (path: string) => path);
  const single = join(dir, SAFETENSORS_SINGLE_FILE);
  if (await exists(single)) {
    const file = await openSafetensors(await guard(single));
    const shardOf = new Map(file.names().map((name) => [name, file] as const));
    return new ShardedCheckpoint(dir, [file], shardOf, file.metadata);
  }
  const indexPath = join(dir, SAFETENSORS_INDEX_FILE);
  if (!(await exists(indexPath))) {
    const present = await readdir(dir).then(
      (names) => names.filter((n) => n.endsWith('.safetensors')),
      () => undefined,
    );
    const found = present === undefined ? 'the folder does not exist' : present.length > 0 ? `found only ${present.join(', ')}` : 'no .safetensors file';
    throw new CheckpointError({
      path: dir,
      problem: 'no-weights',
      detail: `no ${SAFETENSORS_SINGLE_FILE} or ${SAFETENSORS_INDEX_FILE} (${found})`,
    });
  }
  const index = await readCheckpointIndex(indexPath, options.validatePath);
  const shardNames = [...new Set(index.weightMap.values())];
  const files: SafetensorsFile[] = [];
  try {
    for (const shard of shardNames) {
      const path = resolve(dir, shard);
      const inside = relative(dir, path);
      if (isAbsolute(shard) || inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
        throw new CheckpointError({ path: dir, problem: 'missing-shard', file: shard, detail: `the index names shard "${shard}" outside the model folder` });
      }
      if (!(await exists(path))) {
        throw new CheckpointError({
          path: dir,
          problem: 'missing-shard',
          file: shard,
          detail: `shard "${shard}" listed in ${SAFETENSORS_INDEX_FILE} does not exist`,
        });
      }
      files.push(await openSafetensors(await guard(path)));
    }
    const byName = new Map(shardNames.map((name, i) => [name, files[i]] as const));
    const holder = new Map<string, string>();
    for (const [i, file] of files.entries()) {
      for (const name of file.names()) {
        const other = holder.get(name);
        if (other !== undefined) {
          throw new CheckpointError({
            path: dir,
            problem: 'duplicate-tensor',
            tensor: name,
            file: shardNames[i],
            detail: `tensor "${name}" is stored in both "${other}" and "${shardNames[i]}"`,
          });
        }
        holder.set(name, shardNames[i]);
      }
    }
    const shardOf = new Map<string, SafetensorsFile>();
    for (const [name, shard] of index.weightMap) {
      const file = byName.get(shard)!;
      if (!file.has(name)) {
        const actual = holder.get(name);
        const where = actual === undefined ? 'no shard holds it' : `it is in "${actual}"`;
        throw new CheckpointError({
          path: dir,
          problem: 'tensor-not-in-shard',
          tensor: name,
          file: shard,
          detail: `the index maps "${name}" to "${shard}" but ${where}`,
        });
      }
      shardOf.set(name, file);
    }
    return new ShardedCheckpoint(dir, files, shardOf, index.metadata);
  } catch (error) {
    await Promise.all(files.map((f) => f.close()));
    throw error;
  }
}

class ShardedCheckpoint implements Checkpoint {
  readonly files: readonly string[];
  readonly totalBytes: number;
  readonly storageDtypes: ReadonlySet<HostDType>;
  private closed = false;

  constructor(
    readonly dir: string,
    private readonly shards: readonly SafetensorsFile[],
    private readonly shardOf: ReadonlyMap<string, SafetensorsFile>,
    readonly metadata: Readonly<Record<string, string>>,
  ) {
    this.files = shards.map((s) => s.path);
    let total = 0;
    const dtypes = new Set<HostDType>();
    for (const [name, file] of shardOf) {
      const info = file.info(name)!;
      total += info.byteLength;
      dtypes.add(info.dtype);
    }
    this.totalBytes = total;
    this.storageDtypes = dtypes;
  }

  names(): string[] {
    return [...this.shardOf.keys()];
  }

  has(name: string): boolean {
    return this.shardOf.has(name);
  }

  info(name: string): TensorInfo | undefined {
    return this.shardOf.get(name)?.info(name);
  }

  read(name: string): Promise<HostTensor> {
    const file = this.shardOf.get(name);
    if (!file) return Promise.reject(new TensorNotFoundError({ tensor: name, path: this.dir }));
    if (this.closed) return Promise.reject(new CheckpointError({ path: this.dir, problem: 'closed', detail: `read "${name}" after close()` }));
    return file.read(name);
  }

  readRange(name: string, byteOffset: number, target: Uint8Array): Promise<void> {
    const file = this.shardOf.get(name);
    if (!file) return Promise.reject(new TensorNotFoundError({ tensor: name, path: this.dir }));
    if (this.closed) return Promise.reject(new CheckpointError({ path: this.dir, problem: 'closed', detail: `read "${name}" after close()` }));
    return file.readRange(name, byteOffset, target);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.shards.map((s) => s.close()));
  }
}
