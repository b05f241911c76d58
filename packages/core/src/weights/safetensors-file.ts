import { open, type FileHandle } from 'node:fs/promises';
import type { HostTensor } from '../backend/host-tensor.js';
import { CheckpointError } from '../errors/checkpoint-error.js';
import { SafetensorsFormatError } from '../errors/safetensors-format-error.js';
import { TensorNotFoundError } from '../errors/tensor-not-found-error.js';
import { readFileRange } from './read-file-range.js';
import { parseSafetensorsHeader, parseSafetensorsPrefix, type SafetensorsEntry } from './safetensors-header.js';
import type { TensorInfo } from './tensor-info.js';

/**
 * An open `.safetensors` file whose header has been validated. Tensor data is read on demand, one tensor at a
 * time, so host memory never holds the whole file.
 */
export interface SafetensorsFile {
  /** Absolute or caller-given path of the file. */
  readonly path: string;
  /** The `__metadata__` string map (empty when absent). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Tensor names, in header order. */
  names(): string[];
  /** True when the file holds `name`. */
  has(name: string): boolean;
  /** Dtype, shape and byte length of `name`, or `undefined` when the file does not hold it. */
  info(name: string): TensorInfo | undefined;
  /** Reads the bytes of `name` only; throws `TensorNotFoundError` when absent. */
  read(name: string): Promise<HostTensor>;
  /**
   * Reads `target.byteLength` bytes of `name`'s data starting `byteOffset` bytes into it (streamed loading reads a
   * tensor in parts through one small buffer). Throws `TensorNotFoundError` when absent, `CheckpointError`
   * (`bad-range`) when the range leaves the tensor, `SafetensorsFormatError` when the file ends early.
   */
  readRange(name: string, byteOffset: number, target: Uint8Array): Promise<void>;
  /** Closes the file. Reading afterwards throws `CheckpointError` (`closed`). Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Opens a safetensors file and validates its header (length limit, JSON, dtypes, shapes, offsets, file size).
 * Throws `SafetensorsFormatError` for a malformed or truncated file, and `CheckpointError` (`unreadable-file`) for a
 * missing or unreadable path or one that is not a regular file (a folder, a device).
 */
export async function openSafetensors(path: string): Promise<SafetensorsFile> {
  const unreadable = (detail: string, cause?: unknown): CheckpointError =>
    new CheckpointError({ path, problem: 'unreadable-file', file: path, detail }, { cause });
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw unreadable(
      code === 'ENOENT' || code === 'ENOTDIR' ? 'the weights file does not exist' : `the weights file cannot be opened (${code ?? 'error'})`,
      error,
    );
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw unreadable(stats.isDirectory() ? 'this is a folder, not a .safetensors file' : 'this is not a regular file');
    const { size } = stats;
    const prefix = new Uint8Array(8);
    await readFileRange(handle, 0, prefix);
    const headerLength = parseSafetensorsPrefix(prefix, size, path);
    const json = new Uint8Array(headerLength);
    await readFileRange(handle, 8, json);
    const header = parseSafetensorsHeader(json, size, path);
    return new OpenSafetensorsFile(path, handle, header.metadata, header.entries, header.dataStart);
  } catch (error) {
    await handle.close();
    throw error;
  }
}

class OpenSafetensorsFile implements SafetensorsFile {
  private closed = false;

  constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    readonly metadata: Readonly<Record<string, string>>,
    private readonly entries: ReadonlyMap<string, SafetensorsEntry>,
    private readonly dataStart: number,
  ) {}

  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  info(name: string): TensorInfo | undefined {
    const entry = this.entries.get(name);
    return entry && { dtype: entry.dtype, shape: entry.shape, byteLength: entry.byteLength };
  }

  async read(name: string): Promise<HostTensor> {
    const entry = this.entry(name);
    const bytes = new Uint8Array(entry.byteLength);
    await this.readInto(name, entry, 0, bytes);
    return { dtype: entry.dtype, shape: entry.shape, bytes };
  }

  async readRange(name: string, byteOffset: number, target: Uint8Array): Promise<void> {
    const entry = this.entry(name);
    if (!Number.isSafeInteger(byteOffset) || byteOffset < 0 || byteOffset + target.byteLength > entry.byteLength) {
      const detail = `bytes [${byteOffset}, ${byteOffset + target.byteLength}) of "${name}" are outside its ${entry.byteLength} bytes`;
      throw new CheckpointError({ path: this.path, problem: 'bad-range', tensor: name, detail });
    }
    await this.readInto(name, entry, byteOffset, target);
  }

  private entry(name: string): SafetensorsEntry {
    const entry = this.entries.get(name);
    if (!entry) throw new TensorNotFoundError({ tensor: name, path: this.path });
    if (this.closed) throw new CheckpointError({ path: this.path, problem: 'closed', detail: `read "${name}" after close()` });
    return entry;
  }

  private async readInto(name: string, entry: SafetensorsEntry, byteOffset: number, target: Uint8Array): Promise<void> {
    const got = await readFileRange(this.handle, this.dataStart + entry.begin + byteOffset, target);
    if (got !== target.byteLength) {
      throw new SafetensorsFormatError({
        path: this.path,
        problem: 'truncated-data',
        tensor: name,
        detail: `the file ended after ${byteOffset + got} of the tensor's ${entry.byteLength} bytes (it changed since it was opened)`,
      });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}
