import type { Backend, Weight } from '../backend/backend.js';
import type { HostTensor } from '../backend/host-tensor.js';
import type { WeightOptions, WeightRole, WeightStorage } from '../backend/weight-storage.js';
import { WeightLoadError } from '../errors/weight-load-error.js';
import { WeightRenameError } from '../errors/weight-rename-error.js';
import { WeightShapeError } from '../errors/weight-shape-error.js';
import type { Checkpoint } from './checkpoint.js';
import type { CheckpointWeightSource } from './checkpoint-weight-source.js';
import type { LoadProgress } from './load-progress.js';
import { StreamedUpload } from './streamed-upload.js';
import type { TensorInfo } from './tensor-info.js';
import type { WeightLoadReport } from './weight-load-report.js';
import { matchesWeightPattern, renameWeight, type WeightRenameTable } from './weight-rename-table.js';

/** Options for {@link createWeightSource}. */
export interface WeightSourceOptions {
  /** Checkpoint name → module name rules (first match wins). */
  rename?: WeightRenameTable;
  /**
   * Checkpoint names the model ignores on purpose (string = prefix, e.g. GLM's MTP layer `model.layers.47.`;
   * RegExp = test). They are never read, hidden from `has`/`take`, and listed as `unused` in the report.
   */
  unused?: ReadonlyArray<string | RegExp>;
  /**
   * Default storage when `take` does not name one: a value applies to `linear` and `embedding` weights (plain
   * tensors such as norms keep the backend default); a function decides per module name and role.
   */
  storage?: WeightStorage | ((name: string, role: WeightRole) => WeightStorage | undefined);
  /** Called after each uploaded tensor. */
  onProgress?: (progress: LoadProgress) => void;
  /** Aborts loading: `take`, `readHost` reject with the signal's reason once it fires. */
  signal?: AbortSignal;
  /**
   * Host buffer of streamed uploads, in bytes (default {@link DEFAULT_WEIGHT_PART_BYTES}). When the backend has
   * `beginWeight` and the checkpoint `readRange`, `take` reads each tensor in parts of whole rows through one buffer
   * of about this size (at least one row) instead of reading it whole.
   */
  partBytes?: number;
}

/** Default {@link WeightSourceOptions.partBytes}: 4 MiB. */
export const DEFAULT_WEIGHT_PART_BYTES = 4 * 2 ** 20;

/**
 * Creates the {@link CheckpointWeightSource} a model loads its weights from.
 * Throws `WeightRenameError` when the rename table maps two checkpoint tensors to one module name.
 */
export function createWeightSource(backend: Backend, checkpoint: Checkpoint, options: WeightSourceOptions = {}): CheckpointWeightSource {
  return new RenamingWeightSource(backend, checkpoint, options);
}

type TakeOptions = WeightOptions & { shape?: readonly number[] };

class RenamingWeightSource implements CheckpointWeightSource {
  /** module name → checkpoint name */
  private readonly toCheckpoint = new Map<string, string>();
  private readonly unusedNames: string[] = [];
  private readonly used = new Set<string>();
  private readonly missing = new Set<string>();
  private readonly totalBytes: number;
  private loaded = 0;
  private bytes = 0;
  private backendBytes = 0;
  private readonly streamed: StreamedUpload;

  constructor(
    private readonly backend: Backend,
    readonly checkpoint: Checkpoint,
    private readonly options: WeightSourceOptions,
  ) {
    let totalBytes = 0;
    for (const name of checkpoint.names()) {
      if (options.unused && matchesWeightPattern(name, options.unused)) {
        this.unusedNames.push(name);
        continue;
      }
      const target = options.rename ? renameWeight(name, options.rename) : name;
      const other = this.toCheckpoint.get(target);
      if (other !== undefined) throw new WeightRenameError({ target, sources: [other, name] });
      this.toCheckpoint.set(target, name);
      totalBytes += checkpoint.info(name)!.byteLength;
    }
    this.totalBytes = totalBytes;
    this.streamed = new StreamedUpload(options.partBytes ?? DEFAULT_WEIGHT_PART_BYTES);
  }

  names(): string[] {
    return [...this.toCheckpoint.keys()];
  }

  has(name: string): boolean {
    return this.toCheckpoint.has(name);
  }

  info(name: string): TensorInfo | undefined {
    const source = this.toCheckpoint.get(name);
    return source === undefined ? undefined : this.checkpoint.info(source);
  }

  async take(name: string, options: TakeOptions = {}): Promise<Weight> {
    const { weight, byteLength } = await this.uploadTensor(name, options);
    this.loaded += 1;
    this.bytes += byteLength;
    this.backendBytes += weight.byteSize;
    this.options.onProgress?.({ name, loaded: this.loaded, total: this.toCheckpoint.size, bytes: this.bytes, totalBytes: this.totalBytes });
    return weight;
  }

  async upload(name: string, options: TakeOptions = {}): Promise<Weight> {
    return (await this.uploadTensor(name, options)).weight;
  }

  private async uploadTensor(name: string, options: TakeOptions): Promise<{ weight: Weight; byteLength: number }> {
    const source = this.toCheckpoint.get(name);
    const role = options.role ?? 'plain';
    const weightOptions = { role, storage: options.storage ?? this.defaultStorage(name, role), groupSize: options.groupSize, name: options.name ?? source };
    let weight: Weight;
    let byteLength: number;
    if (this.backend.beginWeight && this.checkpoint.readRange) {
      this.options.signal?.throwIfAborted();
      const info = this.claim(name, options);
      weight = await this.streamed.upload(this.backend, this.checkpoint, source!, info, weightOptions, this.options.signal);
      byteLength = info.byteLength;
    } else {
      const host = await this.readHost(name, options);
      weight = this.backend.weight(host, weightOptions);
      byteLength = host.bytes.byteLength;
    }
    return { weight, byteLength };
  }

  async takeOptional(name: string, options?: TakeOptions): Promise<Weight | undefined> {
    return this.has(name) ? this.take(name, options) : undefined;
  }

  async readHost(name: string, options: { shape?: readonly number[] } = {}): Promise<HostTensor> {
    this.options.signal?.throwIfAborted();
    this.claim(name, options);
    const host = await this.checkpoint.read(this.toCheckpoint.get(name)!);
    this.options.signal?.throwIfAborted();
    return host;
  }

  claim(name: string, options: { shape?: readonly number[] } = {}): TensorInfo {
    const source = this.toCheckpoint.get(name);
    if (source === undefined) {
      this.missing.add(name);
      throw new WeightLoadError({ modelDir: this.checkpoint.dir, missing: [name] });
    }
    const info = this.checkpoint.info(source)!;
    const { shape } = options;
    if (shape && (shape.length !== info.shape.length || shape.some((d, i) => d !== info.shape[i]))) {
      throw new WeightShapeError({ tensor: name, checkpointName: source, expected: shape, found: info.shape, modelDir: this.checkpoint.dir });
    }
    this.used.add(source);
    return info;
  }

  report(): WeightLoadReport {
    const unexpected = [...this.toCheckpoint.values()].filter((source) => !this.used.has(source));
    return {
      missing: [...this.missing],
      unexpected,
      unused: [...this.unusedNames],
      loaded: this.loaded,
      bytes: this.bytes,
      backendBytes: this.backendBytes,
    };
  }

  assertComplete(): void {
    const { missing, unexpected } = this.report();
    if (missing.length > 0 || unexpected.length > 0) {
      throw new WeightLoadError({ modelDir: this.checkpoint.dir, missing, unexpected });
    }
  }

  private defaultStorage(name: string, role: WeightRole): WeightStorage | undefined {
    const storage = this.options.storage;
    if (typeof storage === 'function') return storage(name, role);
    return role === 'plain' ? undefined : storage;
  }
}
