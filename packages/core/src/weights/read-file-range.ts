import type { FileHandle } from 'node:fs/promises';

const CHUNK = 1 << 30; // a single read() is limited to 2 GiB - 1

/**
 * Reads exactly `length` bytes at `position` into a fresh `Uint8Array` (chunked, so tensors over 2 GiB work).
 * Returns the number of bytes actually read, which is short only when the file ended early.
 */
export async function readFileRange(handle: FileHandle, position: number, target: Uint8Array): Promise<number> {
  let done = 0;
  while (done < target.byteLength) {
    const length = Math.min(CHUNK, target.byteLength - done);
    const { bytesRead } = await handle.read(target, done, length, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}
