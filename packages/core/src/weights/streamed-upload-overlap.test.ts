import { describe, expect, it } from 'vitest';
import type { Backend } from '../backend/backend.js';
import type { WeightWriter } from '../backend/weight-writer.js';
import type { Checkpoint } from './checkpoint.js';
import { StreamedUpload } from './streamed-upload.js';

// A writer that converts off the calling thread returns a promise per part: the next part is read meanwhile, and
// only one part converts at a time.
describe('StreamedUpload with a writer that converts asynchronously', () => {
  const rows = 5;
  const rowBytes = 4;
  const setup = (failAt?: number) => {
    const events: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const settle: Array<() => void> = [];
    const writer: WeightWriter = {
      rowBytes,
      rows,
      write(bytes) {
        const part = bytes[0];
        events.push(`write ${part}`);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        return new Promise<void>((resolve, reject) => {
          settle.push(() => {
            inFlight--;
            events.push(`converted ${part}`);
            if (part === failAt) reject(new Error(`part ${part} failed`));
            else resolve();
          });
        });
      },
      finish: () => ({ shape: [rows, 1] }) as never,
      abort: () => events.push('abort'),
    };
    const backend = { beginWeight: () => writer } as unknown as Backend;
    const checkpoint = {
      async readRange(_name: string, offset: number, into: Uint8Array) {
        const part = offset / rowBytes;
        events.push(`read ${part}`);
        into.fill(part);
        // the previous part's conversion settles while this part is being read
        await new Promise((r) => setTimeout(r, 1));
        settle.shift()?.();
      },
    } as unknown as Checkpoint;
    // one row a part
    const upload = () => new StreamedUpload(rowBytes).upload(backend, checkpoint, 'w', { dtype: 'F32', shape: [rows, 1] } as never, {});
    return { events, upload, finishLast: () => settle.shift()?.(), maxInFlight: () => maxInFlight };
  };

  it('reads each part while the previous one converts, one conversion at a time', async () => {
    const { events, upload, finishLast, maxInFlight } = setup();
    const done = upload();
    await new Promise((r) => setTimeout(r, 30));
    finishLast();
    await done;
    expect(events).toEqual([
      'read 0',
      'write 0',
      'read 1',
      'converted 0',
      'write 1',
      'read 2',
      'converted 1',
      'write 2',
      'read 3',
      'converted 2',
      'write 3',
      'read 4',
      'converted 3',
      'write 4',
      'converted 4',
    ]);
    expect(maxInFlight()).toBe(1);
  });

  it('a failed conversion fails the upload with its error and aborts the writer, while the next part was reading', async () => {
    const { events, upload } = setup(1);
    await expect(upload()).rejects.toThrow('part 1 failed');
    expect(events.slice(-2)).toEqual(['converted 1', 'abort']);
    expect(events).not.toContain('write 3');
  });
});
