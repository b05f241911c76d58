import { describe, expect, it } from 'vitest';
import type { Backend } from '../backend/backend.js';
import { createReferenceBackend } from '../testing/reference-backend/create-reference-backend.js';
import { applyRotary, rotaryInputs } from './rotary-inputs.js';
import { ropeInverseFrequencies, ropeTables, ropeTensors } from './rotary.js';

const invFreq = ropeInverseFrequencies(8, 10000);
const xValues = Float32Array.from({ length: 2 * 3 * 2 * 8 }, (_, i) => Math.sin(i * 0.37));

/** `x` rotated through the tables path (`Backend.rope`), the ground truth. */
async function viaTables(b: Backend, positionsFor: (b: number, s: number, pair: number) => number): Promise<Float32Array> {
  const { cos, sin } = ropeTensors(b, ropeTables(2, 3, invFreq, positionsFor), 2, 3);
  return (await b.rope(b.tensor(xValues, [2, 3, 2, 8]), cos, sin, 'half').data()) as Float32Array;
}

describe('rotaryInputs / applyRotary', () => {
  it('hands plain integer positions to ropePositions ([1, seq] when the rows agree) with the same result as the tables', async () => {
    const b = createReferenceBackend();
    const shared = rotaryInputs(b, 2, 3, invFreq, (_row, s) => 5 + s);
    expect('positions' in shared && [...shared.positions.shape]).toEqual([1, 3]);
    const perRow = rotaryInputs(b, 2, 3, invFreq, (row, s) => row * 2 + s);
    expect('positions' in perRow && [...(await perRow.positions.data())]).toEqual([0, 1, 2, 2, 3, 4]);
    const got = (await applyRotary(b, b.tensor(xValues, [2, 3, 2, 8]), perRow, 'half').data()) as Float32Array;
    const want = await viaTables(b, (row, s) => row * 2 + s);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
  });

  it('falls back to tables when pairs have different positions (multimodal RoPE) or the backend has no ropePositions', async () => {
    const b = createReferenceBackend();
    const mrope = (_row: number, s: number, pair: number) => (pair < 2 ? s : s + 7);
    const inputs = rotaryInputs(b, 2, 3, invFreq, mrope);
    expect('cos' in inputs).toBe(true);
    const got = (await applyRotary(b, b.tensor(xValues, [2, 3, 2, 8]), inputs, 'half').data()) as Float32Array;
    expect([...got]).toEqual([...(await viaTables(b, mrope))]);
    const withoutFused: Backend = Object.assign(Object.create(b) as Backend, { ropePositions: undefined });
    expect('cos' in rotaryInputs(withoutFused, 2, 3, invFreq, (_row, s) => s)).toBe(true);
  });
});
