import { BackendError } from '../errors/backend-error.js';

/**
 * The argument rules of {@link Backend.writeWeightRows}, shared by every backend: `host` holds whole rows of the weight
 * (`[rows, in]`, or any shape whose last axis is the weight's), and they fit from `firstRow` on. Returns
 * `[rows, rowLength]`.
 */
export function checkWeightRows(weightShape: readonly number[], firstRow: number, hostShape: readonly number[]): [number, number] {
  const op = 'writeWeightRows';
  const rowLength = weightShape.length === 0 ? 1 : weightShape[weightShape.length - 1];
  const weightRows = rowLength === 0 ? 0 : weightShape.reduce((a, b) => a * b, 1) / rowLength;
  const hostLength = hostShape.length === 0 ? 1 : hostShape[hostShape.length - 1];
  if (hostLength !== rowLength)
    throw new BackendError(op, `rows of length ${hostLength} do not fit a weight [${weightShape.join(', ')}] (rows of ${rowLength})`);
  const rows = hostShape.reduce((a, b) => a * b, 1) / Math.max(1, rowLength);
  if (!Number.isInteger(firstRow) || firstRow < 0 || firstRow + rows > weightRows)
    throw new BackendError(
      op,
      `rows ${firstRow}..${firstRow + rows - 1} are outside the weight's ${weightRows} rows; pass a firstRow from 0 to ${weightRows - rows}`,
    );
  return [rows, rowLength];
}
