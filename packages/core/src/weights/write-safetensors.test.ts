import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import type { HostDType } from '../backend/host-tensor.js';
import { SafetensorsFormatError } from '../errors/safetensors-format-error.js';
import { encodeHostTensor } from './encode-host-tensor.js';
import { openSafetensors } from './safetensors-file.js';
import { writeSafetensors } from './write-safetensors.js';

const dir = makeTempDir('pio-write-');
const u16 = (bytes: Uint8Array) => [...new Uint16Array(bytes.slice().buffer)];

describe('encodeHostTensor', () => {
  it('rounds float32 to F16 to nearest even, with subnormals and overflow (known IEEE bit patterns)', () => {
    const cases: Array<[number, number]> = [
      [1, 0x3c00],
      [-2, 0xc000],
      [0.1, 0x2e66],
      [1 / 3, 0x3555],
      [65504, 0x7bff],
      [65520, 0x7c00],
      [-1e6, 0xfc00],
      [2 ** -24, 0x0001],
      [2 ** -25, 0x0000],
      [3 * 2 ** -25, 0x0002],
      [1 + 2 ** -11, 0x3c00],
      [1 + 3 * 2 ** -11, 0x3c02],
      [Infinity, 0x7c00],
    ];
    const host = encodeHostTensor(Float32Array.from(cases.map(([v]) => v)), [cases.length], 'F16');
    expect(host.dtype).toBe('F16');
    expect(u16(host.bytes)).toEqual(cases.map(([, bits]) => bits));
  });

  it('rounds float32 to BF16 to nearest even (known bit patterns)', () => {
    const cases: Array<[number, number]> = [
      [1, 0x3f80],
      [-1, 0xbf80],
      [3.140625, 0x4049],
      [1 + 2 ** -8, 0x3f80],
      [1 + 3 * 2 ** -8, 0x3f82],
      [1 + 2 ** -8 + 2 ** -20, 0x3f81],
      [0.1, 0x3dcd],
      [3.4e38, 0x7f80],
    ];
    const host = encodeHostTensor(Float32Array.from(cases.map(([v]) => v)), [2, 4], 'BF16');
    expect(host.shape).toEqual([2, 4]);
    expect(u16(host.bytes)).toEqual(cases.map(([, bits]) => bits));
  });

  it('writes integers little-endian and refuses values that do not fit', () => {
    expect([...encodeHostTensor(Int32Array.from([1, -1]), [2], 'I16').bytes]).toEqual([1, 0, 0xff, 0xff]);
    expect([...encodeHostTensor(Int32Array.from([-3]), [1], 'I64').bytes]).toEqual([0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect([...encodeHostTensor(Int32Array.from([0, 1]), [2], 'BOOL').bytes]).toEqual([0, 1]);
    for (const [values, dtype] of [
      [[256], 'U8'],
      [[2], 'BOOL'],
      [[-129], 'I8'],
      [[0.5], 'I32'],
    ] as const) {
      expect(() => encodeHostTensor(Float32Array.from(values), [1], dtype)).toThrow(SafetensorsFormatError);
    }
    const error = (() => {
      try {
        encodeHostTensor(new Float32Array(5), [2, 3], 'F32');
      } catch (e) {
        return e;
      }
    })();
    expect(SafetensorsFormatError.isInstance(error) && error.problem === 'invalid-tensor').toBe(true);
  });
});

describe('writeSafetensors', () => {
  it('round-trips every dtype and metadata, with an 8-byte padded header and aligned data', async () => {
    const dtypes: HostDType[] = ['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'BOOL'];
    const tensors = Object.fromEntries(
      dtypes.map((dtype, i) => [
        `t.${dtype}`,
        encodeHostTensor(
          Float32Array.from({ length: 3 + i }, (_, j) => j % 2),
          [3 + i],
          dtype,
        ),
      ]),
    );
    tensors.empty = encodeHostTensor(new Float32Array(0), [0, 4], 'F32');
    tensors.scalar = encodeHostTensor(Float32Array.from([7]), [], 'F32');
    const path = join(dir, 'all.safetensors');
    await writeSafetensors(path, tensors, { format: 'pt', note: 'pio' });

    const raw = await readFile(path);
    const n = Number(raw.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const header = JSON.parse(raw.subarray(8, 8 + n).toString()) as Record<string, { dtype: string; data_offsets: [number, number] }>;
    expect(Object.keys(header)[0]).toBe('__metadata__');
    for (const [name, info] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const size = { F64: 8, I64: 8, F32: 4, I32: 4, F16: 2, BF16: 2, I16: 2, I8: 1, U8: 1, BOOL: 1 }[info.dtype]!;
      expect((8 + n + info.data_offsets[0]) % size).toBe(0);
    }

    const file = await openSafetensors(path);
    expect(file.metadata).toEqual({ format: 'pt', note: 'pio' });
    expect(new Set(file.names())).toEqual(new Set(Object.keys(tensors)));
    for (const [name, host] of Object.entries(tensors)) {
      const back = await file.read(name);
      expect(back.dtype).toBe(host.dtype);
      expect(back.shape).toEqual(host.shape);
      expect([...back.bytes]).toEqual([...host.bytes]);
    }
    await file.close();
  });

  it('refuses a tensor whose bytes do not match its dtype and shape', async () => {
    const error = await writeSafetensors(join(dir, 'bad.safetensors'), { w: { dtype: 'F32', shape: [3], bytes: new Uint8Array(8) } }).catch((e: unknown) => e);
    expect(SafetensorsFormatError.isInstance(error) && error.problem === 'invalid-tensor' && error.tensor === 'w').toBe(true);
  });
});
