import { f16ToFloat32 } from '@pio/core';
import { describe, expect, it } from 'vitest';
import { selectBinaries } from '../device/select-device.js';
import { locateBinaries } from '../runtime/locate-binaries.js';
import { loadGgml } from '../runtime/load-ggml.js';
import { decodeRowsInto } from './decode-rows.js';

// ggml's row converters must give the float32 values the JavaScript decoders give, for every 16-bit pattern.
describe('decodeRowsInto with ggml', () => {
  // every 16-bit pattern, after one leading byte: an odd offset, as a part of a checkpoint can start anywhere
  const patterns = new Uint8Array(1 + 2 * 65536);
  new DataView(patterns.buffer).setUint8(0, 0xab);
  for (let i = 0; i < 65536; i++) new DataView(patterns.buffer).setUint16(1 + 2 * i, i, true);
  const bytes = patterns.subarray(1);

  it('BF16: the bits shifted into the high half, NaNs included', async () => {
    const { api } = await loadGgml(selectBinaries('cpu', locateBinaries()));
    const native = new Float32Array(65536);
    decodeRowsInto('BF16', bytes, native, api);
    const bits = new Uint32Array(native.buffer);
    for (let i = 0; i < 65536; i++) if (bits[i] !== (i << 16) >>> 0) expect.fail(`pattern ${i}: ${bits[i]}`);
  });

  it('F16: the values of f16ToFloat32 (any NaN for a NaN)', async () => {
    const { api } = await loadGgml(selectBinaries('cpu', locateBinaries()));
    const native = new Float32Array(65536);
    decodeRowsInto('F16', bytes, native, api);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    for (let i = 0; i < 65536; i++) {
      const expected = f16ToFloat32(view.getUint16(2 * i, true));
      const ok = Number.isNaN(expected) ? Number.isNaN(native[i]) : Object.is(native[i], expected);
      if (!ok) expect.fail(`pattern ${i}: ${native[i]} instead of ${expected}`);
    }
  });
});
