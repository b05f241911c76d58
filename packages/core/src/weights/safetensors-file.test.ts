import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import { CheckpointError } from '../errors/checkpoint-error.js';
import { SafetensorsFormatError, type SafetensorsProblem } from '../errors/safetensors-format-error.js';
import { TensorNotFoundError } from '../errors/tensor-not-found-error.js';
import { openSafetensors } from './safetensors-file.js';

const FIXTURE = new URL('../__fixtures__/glm47flash-tiny-grouped/model.safetensors', import.meta.url).pathname;

const dir = makeTempDir('pio-safetensors-');
/** A safetensors file assembled by hand: `[u64 LE length][header][data]`. */
function assemble(header: unknown, data: Uint8Array, length?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + data.byteLength);
  new DataView(out.buffer).setBigUint64(0, length ?? BigInt(json.byteLength), true);
  out.set(json, 8);
  out.set(data, 8 + json.byteLength);
  return out;
}

let counter = 0;
async function writeTemp(bytes: Uint8Array): Promise<string> {
  const path = join(dir, `case-${counter++}.safetensors`);
  await writeFile(path, bytes);
  return path;
}

async function expectProblem(bytes: Uint8Array, problem: SafetensorsProblem, tensor?: string): Promise<void> {
  const path = await writeTemp(bytes);
  const error = await openSafetensors(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(SafetensorsFormatError.isInstance(error), `expected SafetensorsFormatError(${problem}), got ${String(error)}`).toBe(true);
  const typed = error as SafetensorsFormatError;
  expect(typed.problem).toBe(problem);
  expect(typed.path).toBe(path);
  if (tensor !== undefined) expect(typed.tensor).toBe(tensor);
  expect(typed.message).toContain(path);
}

const f32 = (...values: number[]) => new Uint8Array(Float32Array.from(values).buffer);
const entry = (dtype: unknown, shape: unknown, offsets: unknown) => ({ dtype, shape, data_offsets: offsets });

describe('openSafetensors on the GLM fixture', () => {
  it('lists every tensor with dtype, shape and byte length, and reads values at the header offsets', async () => {
    // Independent reading of the same file: whole buffer, JSON header, slice at the offsets.
    const raw = readFileSync(FIXTURE);
    const n = Number(raw.readBigUInt64LE(0));
    const header = JSON.parse(raw.subarray(8, 8 + n).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
    const names = Object.keys(header).filter((k) => k !== '__metadata__');

    const file = await openSafetensors(FIXTURE);
    try {
      expect(file.metadata).toEqual({ format: 'pt' });
      expect(file.names()).toEqual(names);
      expect(names).toHaveLength(91);
      expect(file.info('lm_head.weight')).toEqual({ dtype: 'F32', shape: [512, 64], byteLength: 131072 });
      expect(file.info('model.layers.1.mlp.gate.e_score_correction_bias')).toEqual({ dtype: 'F32', shape: [8], byteLength: 32 });
      expect(file.info('absent')).toBeUndefined();
      expect(file.has('model.norm.weight')).toBe(true);
      for (const name of names) {
        const host = await file.read(name);
        const [begin, end] = header[name].data_offsets;
        expect(host.dtype).toBe(header[name].dtype);
        expect(host.shape).toEqual(header[name].shape);
        expect(Buffer.from(host.bytes).equals(raw.subarray(8 + n + begin, 8 + n + end))).toBe(true);
      }
    } finally {
      await file.close();
    }
  });

  it('throws TensorNotFoundError for an unknown name and CheckpointError after close', async () => {
    const file = await openSafetensors(FIXTURE);
    const missing = await file.read('model.layers.9.nope').catch((e: unknown) => e);
    expect(TensorNotFoundError.isInstance(missing)).toBe(true);
    expect((missing as TensorNotFoundError).tensor).toBe('model.layers.9.nope');
    await file.close();
    await file.close();
    const closed = await file.read('lm_head.weight').catch((e: unknown) => e);
    expect(CheckpointError.isInstance(closed) && closed.problem === 'closed').toBe(true);
  });
});

describe('openSafetensors rejects malformed files', () => {
  const good = () => ({ a: entry('F32', [2], [0, 8]), b: entry('F32', [1], [8, 12]) });
  const data = f32(1, 2, 3);

  it('accepts the well-formed reference case (control)', async () => {
    const file = await openSafetensors(await writeTemp(assemble(good(), data)));
    expect(file.names()).toEqual(['a', 'b']);
    expect([...new Float32Array((await file.read('b')).bytes.slice().buffer)]).toEqual([3]);
    await file.close();
  });

  it('header length over the 100 MB limit', () => expectProblem(assemble(good(), data, 2n ** 40n), 'header-too-large'));
  it('header length just over the limit', () => expectProblem(assemble(good(), data, 100_000_001n), 'header-too-large'));
  it('file shorter than the 8-byte prefix', () => expectProblem(new Uint8Array([1, 0, 0]), 'truncated-header'));
  it('header length past the end of the file', () => expectProblem(assemble(good(), data).subarray(0, 30), 'truncated-header'));
  it('header that is not JSON', () => expectProblem(assemble('{"a": {"dtype": "F32",', data), 'invalid-json'));
  it('header that is not UTF-8', () =>
    expectProblem(
      assemble('{"\udc80": 1}', new Uint8Array()).map((b, i) => (i === 10 ? 0xff : b)),
      'invalid-json',
    ));
  it('header that is a JSON array', () => expectProblem(assemble([1, 2], new Uint8Array()), 'invalid-json'));
  it('__metadata__ with a non-string value', () => expectProblem(assemble({ __metadata__: { format: 1 }, ...good() }, data), 'invalid-metadata'));
  it('entry that is not an object', () => expectProblem(assemble({ a: 3 }, new Uint8Array()), 'invalid-entry', 'a'));
  it('unknown dtype', () => expectProblem(assemble({ ...good(), c: entry('F8_E4M3', [0], [12, 12]) }, data), 'unknown-dtype', 'c'));
  it('missing dtype', () => expectProblem(assemble({ a: { shape: [2], data_offsets: [0, 8] } }, f32(1, 2)), 'unknown-dtype', 'a'));
  it('negative dimension', () => expectProblem(assemble({ a: entry('F32', [-2], [0, 8]) }, f32(1, 2)), 'invalid-shape', 'a'));
  it('fractional dimension', () => expectProblem(assemble({ a: entry('F32', [1.5], [0, 8]) }, f32(1, 2)), 'invalid-shape', 'a'));
  it('shape that is not a list', () => expectProblem(assemble({ a: entry('F32', '2', [0, 8]) }, f32(1, 2)), 'invalid-shape', 'a'));
  it('offsets with three numbers', () => expectProblem(assemble({ a: entry('F32', [2], [0, 8, 8]) }, f32(1, 2)), 'invalid-offsets', 'a'));
  it('offsets with begin after end', () => expectProblem(assemble({ a: entry('F32', [0], [8, 0]) }, f32(1, 2)), 'invalid-offsets', 'a'));
  it('offsets not matching dtype × shape', () => expectProblem(assemble({ a: entry('BF16', [2], [0, 8]) }, f32(1, 2)), 'size-mismatch', 'a'));
  it('overlapping tensors', () => expectProblem(assemble({ a: entry('F32', [2], [0, 8]), b: entry('F32', [2], [4, 12]) }, data), 'overlap', 'b'));
  it('a hole between tensors', () => expectProblem(assemble({ a: entry('F32', [1], [0, 4]), b: entry('F32', [1], [8, 12]) }, data), 'gap', 'b'));
  it('a first tensor not at offset 0', () => expectProblem(assemble({ a: entry('F32', [2], [4, 12]) }, data), 'gap', 'a'));
  it('offsets past the end of the file', () =>
    expectProblem(assemble({ a: entry('F32', [2], [0, 8]), b: entry('F32', [1000], [8, 4008]) }, data), 'truncated-data'));
  it('a truncated data section', async () => {
    const full = assemble(good(), data);
    await expectProblem(full.subarray(0, full.byteLength - 1), 'truncated-data');
  });
  it('bytes after the last tensor', () => expectProblem(assemble(good(), f32(1, 2, 3, 4)), 'trailing-bytes'));
  it('a duplicated key (JSON keeps the last, leaving a hole)', () =>
    expectProblem(
      assemble('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', f32(1, 2)),
      'gap',
      'a',
    ));
});
