import type { Backend, WeightStorage } from '@pio/core';
import { Linear, type WeightSource } from '@pio/core/nn';

/** How the large matrices are stored: type and, for `int8` / `int4`, the quantization group size. */
export interface MatrixStorage {
  storage: WeightStorage;
  /** Input columns per scale for `int8` / `int4` (default the backend's, 64; must divide the input width). */
  groupSize?: number;
}

/** Loads `${prefix}.weight` `[outFeatures, inFeatures]` (and `${prefix}.bias` when `bias`) as a {@link Linear} in `matrix` storage. */
export async function loadLinear(
  backend: Backend,
  source: WeightSource,
  prefix: string,
  shape: { inFeatures: number; outFeatures: number; bias?: boolean },
  matrix: MatrixStorage,
): Promise<Linear> {
  const weight = await source.take(`${prefix}.weight`, {
    role: 'linear',
    storage: matrix.storage,
    groupSize: matrix.groupSize,
    shape: [shape.outFeatures, shape.inFeatures],
  });
  const bias = shape.bias ? await source.take(`${prefix}.bias`, { shape: [shape.outFeatures] }) : undefined;
  return new Linear(backend, weight, bias);
}
