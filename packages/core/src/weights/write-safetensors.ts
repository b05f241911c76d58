import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import type { HostTensor } from '../backend/host-tensor.js';
import { HOST_DTYPE_BYTES, shapeSize } from '../backend/host-tensor-decode.js';
import { SafetensorsFormatError } from '../errors/safetensors-format-error.js';

/**
 * Writes `tensors` to a safetensors file at `path` (replacing it atomically through a temporary file).
 *
 * Layout as the reference writer: tensors ordered by element size (largest first) then name, so each tensor's
 * data is aligned to its element size; the JSON header is padded with spaces to a multiple of 8 bytes.
 * Throws `SafetensorsFormatError` (`invalid-tensor`) when a tensor's bytes do not match its dtype and shape.
 */
export async function writeSafetensors(
  path: string,
  tensors: Readonly<Record<string, HostTensor>>,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  const names = Object.keys(tensors).sort((a, b) => {
    const size = HOST_DTYPE_BYTES[tensors[b].dtype] - HOST_DTYPE_BYTES[tensors[a].dtype];
    return size !== 0 ? size : a < b ? -1 : a > b ? 1 : 0;
  });
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const name of names) {
    if (name === '__metadata__') throw invalid(path, name, 'the name __metadata__ is reserved');
    const { dtype, shape, bytes } = tensors[name];
    if (!Object.hasOwn(HOST_DTYPE_BYTES, dtype)) throw invalid(path, name, `unknown dtype ${String(dtype)}`);
    if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw invalid(path, name, `bad shape [${shape.join(', ')}]`);
    const expected = shapeSize(shape) * HOST_DTYPE_BYTES[dtype];
    if (bytes.byteLength !== expected) throw invalid(path, name, `${dtype}[${shape.join(', ')}] needs ${expected} bytes, got ${bytes.byteLength}`);
    header[name] = { dtype, shape: [...shape], data_offsets: [offset, offset + expected] };
    offset += expected;
  }
  let json = JSON.stringify(header);
  let encoded = new TextEncoder().encode(json);
  const pad = (8 - (encoded.byteLength % 8)) % 8;
  if (pad > 0) {
    json += ' '.repeat(pad);
    encoded = new TextEncoder().encode(json);
  }
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(encoded.byteLength), true);

  const temporary = `${path}.${process.pid}.tmp`;
  const handle = await open(temporary, 'w');
  try {
    await writeAll(handle, prefix);
    await writeAll(handle, encoded);
    for (const name of names) await writeAll(handle, tensors[name].bytes);
    await handle.close();
    await rename(temporary, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
}

function invalid(path: string, tensor: string, detail: string): SafetensorsFormatError {
  return new SafetensorsFormatError({ path, problem: 'invalid-tensor', tensor, detail });
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, done, Math.min(bytes.byteLength - done, 1 << 30));
    done += bytesWritten;
  }
}
