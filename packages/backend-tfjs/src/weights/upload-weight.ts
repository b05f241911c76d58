import { BackendError, PioError, type HostTensor, type Weight, type WeightOptions, type WeightStorage } from '@pio/core';
import { checkShape, fmt, sizeOf } from '../ops/shape-utils.js';
import type { TfjsRuntime } from '../runtime/tfjs-runtime.js';
import { HalfCodec } from './half-codec.js';
import { decodeHost, halfBits, transpose2d } from './host-decode.js';
import type { HostCodec } from './host-codec.js';
import { HostWeight } from './host-weight.js';
import { Int4Codec } from './int4-codec.js';
import { Int8Codec } from './int8-codec.js';
import { ResidentWeight } from './resident-weight.js';

/** Weight storages a tfjs backend holds (block formats fall back to these). */
export const TFJS_WEIGHT_STORAGE: readonly WeightStorage[] = ['float32', 'bfloat16', 'float16', 'int8', 'int4'];

const INTEGER_DTYPES = new Set(['I64', 'I32', 'I16', 'I8', 'U8', 'BOOL']);
const ROLES = new Set(['linear', 'embedding', 'plain', 'experts']);

/** The storage actually used for a request: block formats map to int8/int4; a group size that does not fit means float32. */
function resolveStorage(label: string, requested: WeightStorage, cols: number, groupSize: number): WeightStorage {
  const storage = requested === 'q8_0' ? 'int8' : requested === 'q4_0' || requested === 'q4_k' ? 'int4' : requested;
  if (!TFJS_WEIGHT_STORAGE.includes(storage)) throw new BackendError(label, `unknown weight storage '${String(requested)}'`);
  if (storage !== 'int8' && storage !== 'int4') return storage;
  const fits = Number.isInteger(groupSize) && groupSize > 0 && cols % groupSize === 0 && (storage === 'int8' || groupSize % 2 === 0);
  return fits ? storage : 'float32';
}

function hostCodec(storage: WeightStorage, host: HostTensor, rows: number, cols: number, groupSize: number): HostCodec {
  if (storage === 'bfloat16' || storage === 'float16') {
    const same = (storage === 'bfloat16' && host.dtype === 'BF16') || (storage === 'float16' && host.dtype === 'F16');
    if (same) return HalfCodec.fromBits(storage, halfBits(host.bytes), rows, cols);
    return HalfCodec.encode(storage, decodeHost(host) as Float32Array, rows, cols);
  }
  const values = decodeHost(host) as Float32Array;
  return storage === 'int8' ? Int8Codec.quantize(values, rows, cols, groupSize) : Int4Codec.quantize(values, rows, cols, groupSize);
}

/**
 * `Backend.weight`: float32 weights become engine tensors (`linear` ones transposed to `[in, out]` on engines whose
 * fast product wants it); bfloat16/float16/int8/int4 stay compact on the host; integer tensors become int32.
 */
export function uploadWeight(rt: TfjsRuntime, host: HostTensor, options: WeightOptions = {}): Weight {
  const label = options.name ? `weight ${options.name}` : 'weight';
  rt.assertOpen(label);
  checkShape(label, host?.shape);
  const role = options.role ?? 'plain';
  if (!ROLES.has(role)) throw new BackendError(label, `unknown role '${String(role)}'; use 'linear', 'experts', 'embedding' or 'plain'`);
  if (role === 'linear' && host.shape.length < 2)
    throw new BackendError(label, `a linear weight must be [out, in] or a stack [..., out, in], got ${fmt(host.shape)}`);
  if (role === 'experts' && host.shape.length !== 3)
    throw new BackendError(label, `an experts weight must be a stack [experts, out, in], got ${fmt(host.shape)}`);
  const n = sizeOf(host.shape);
  const cols = host.shape.length === 0 ? 1 : host.shape[host.shape.length - 1];
  const rows = cols === 0 ? 0 : n / cols;
  const integer = INTEGER_DTYPES.has(host.dtype);
  const storage = integer ? 'float32' : resolveStorage(label, options.storage ?? 'float32', cols, options.groupSize ?? 64);
  try {
    if (storage !== 'float32') {
      const weight = new HostWeight(rt, hostCodec(storage, host, rows, cols, options.groupSize ?? 64), host.shape);
      rt.addWeight(weight);
      return weight;
    }
    // a stack of matrices `[..., out, in]` (used by matmul with transposeB) keeps its logical layout
    const transposed = role === 'linear' && host.shape.length === 2 && rt.engine.traits.linearLayout === 'inOut' && !integer;
    const packed = role === 'linear' && host.shape.length === 2 && rt.engine.traits.packsMatmulOperand;
    const heapBytes = n * 4 * (packed ? 2 : 1);
    rt.reserveWeight(label, heapBytes, n * 4);
    const values = decodeHost(host);
    const stored = transposed ? transpose2d(values, host.shape[0], host.shape[1]) : values;
    const shape = transposed ? [host.shape[1], host.shape[0]] : [...host.shape];
    const tensor = rt.tf.tensor(stored, shape, integer ? 'int32' : 'float32');
    const weight = new ResidentWeight(rt, tensor, [...host.shape], integer ? 'int32' : 'float32', transposed ? 'transposed' : 'logical', heapBytes);
    rt.addWeight(weight, tensor);
    return weight;
  } catch (error) {
    if (PioError.isInstance(error)) throw error;
    throw new BackendError(label, `cannot upload ${host.dtype}${fmt(host.shape)}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
