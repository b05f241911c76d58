import { WEIGHT_STORAGE_BYTES } from '@pio/core';
import { describe, expect, it } from 'vitest';
import { selectBinaries } from '../device/select-device.js';
import { GGML_WEIGHT_STORAGE, planStorage } from '../weights/storage-plan.js';
import { GGML_TYPE } from './ggml-api.js';
import { loadGgml } from './load-ggml.js';
import { locateBinaries } from './locate-binaries.js';

describe('GGML_TYPE', () => {
  it('matches the enum of the loaded ggml library (name, block size, bytes per block)', async () => {
    const { api } = await loadGgml(selectBinaries('cpu', locateBinaries()));
    const expected: Array<[keyof typeof GGML_TYPE, string, number, number]> = [
      ['F32', 'f32', 1, 4],
      ['F16', 'f16', 1, 2],
      ['BF16', 'bf16', 1, 2],
      ['Q8_0', 'q8_0', 32, 34],
      ['Q4_0', 'q4_0', 32, 18],
      ['Q4_K', 'q4_K', 256, 144],
      ['I32', 'i32', 1, 4],
    ];
    for (const [key, name, block, bytes] of expected) {
      const type = GGML_TYPE[key];
      expect([api.ggml_type_name(type), Number(api.ggml_blck_size(type)), Number(api.ggml_type_size(type))], key).toEqual([name, block, bytes]);
    }
  });

  it("core's bytes-per-value estimates match what ggml stores for every storage this backend lists", async () => {
    const { api } = await loadGgml(selectBinaries('cpu', locateBinaries()));
    for (const storage of GGML_WEIGHT_STORAGE) {
      const { ggmlType } = planStorage('linear', storage, [1, 256]);
      expect(api.ggml_row_size(ggmlType, 256) / 256, storage).toBe(WEIGHT_STORAGE_BYTES[storage]);
    }
  });
});
