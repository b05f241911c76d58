import {
  BackendError,
  type SequenceBuffer,
  type SequenceBufferAppendOptions,
  type SequenceBufferOptions,
  type SequenceBufferStorage,
  type Tensor,
} from '@pio/core';
import type { Emitter } from '../graph/emitter.js';
import type { GraphNode } from '../graph/graph-node.js';
import type { GraphRuntime } from '../graph/graph-runtime.js';
import { toNe } from '../graph/ggml-shape.js';
import { GGML_TYPE, type NativePointer } from '../runtime/ggml-api.js';
import { asNode, fmt } from './op-support.js';

/**
 * {@link SequenceBuffer} on ggml: one zeroed tensor allocated for `capacity` positions; `append` records a write of
 * the new positions into their slots (an effect node, so it runs in the graph of whatever reads the buffer, before the
 * readers) and returns a strided view of the filled (or `viewLength`) part. A single position is written with
 * `ggml_set_rows` at the index a graph input holds (the caller's `slot`, shared by every buffer a step appends to),
 * so a decode step's graph is the same at every position and can be reused or replayed; several positions (a prompt)
 * with one `ggml_cpy` into their slot. Each write depends on the previous one, so no write is lost when a returned
 * view goes unread. Readers such as attention take the strided view as is (`mul_mat` reads rows through their
 * strides), so a decode step copies only its new positions. Stored layouts follow the `role` hint as llama.cpp's
 * caches do: `values` with the growing axis innermost, `keys` position-major (each position's heads together).
 */
export class GgmlSequenceBuffer implements SequenceBuffer {
  readonly capacity: number;
  readonly storage: SequenceBufferStorage;
  private filled = 0;
  private readonly base: GraphNode;
  private readonly axis: number;
  private readonly shape: readonly number[];
  /** Stored layout: the logical axes in memory order (the growing axis last for values). */
  private readonly physicalAxes: readonly number[];
  /** The last write (held so that the next write depends on it). */
  private last: GraphNode | undefined;
  private disposed = false;

  constructor(
    private readonly rt: GraphRuntime,
    options: SequenceBufferOptions,
  ) {
    const { shape, capacity } = options;
    const rank = shape.length;
    const axis = options.axis < 0 ? options.axis + rank : options.axis;
    if (rank < 1 || rank > 4 || !Number.isInteger(axis) || axis < 0 || axis >= rank) {
      throw new BackendError('createSequenceBuffer', `needs a rank 1-4 shape and an axis inside it, got shape ${fmt(shape)} axis ${options.axis}`);
    }
    if (!Number.isInteger(capacity) || capacity < 1) throw new BackendError('createSequenceBuffer', `capacity must be a positive integer, got ${capacity}`);
    if (!shape.every((d, i) => i === axis || (Number.isInteger(d) && d > 0))) throw new BackendError('createSequenceBuffer', `invalid shape ${fmt(shape)}`);
    this.capacity = capacity;
    this.storage = options.storage ?? 'float32';
    this.axis = axis;
    this.shape = shape.map((d, i) => (i === axis ? capacity : d));
    // values are stored with the growing axis innermost (llama.cpp's V cache layout): attention then multiplies them
    // as they lie, instead of transposing every cached position at every step. Keys are stored position-major, the
    // growing axis right after the leading (batch) axis (llama.cpp's K cache layout): a decode step's scores read
    // every cached key as one forward stream instead of one short run per head (page-sized at 16 rows of 128 float16
    // values), which the CPU's prefetchers follow (see the backend README for the measurement).
    const others = this.shape.map((_, i) => i).filter((i) => i !== axis);
    this.physicalAxes =
      options.role === 'values'
        ? [...others, axis]
        : options.role === 'keys' && axis > 0
          ? [0, axis, ...others.filter((i) => i !== 0)]
          : this.shape.map((_, i) => i);
    const ggmlType = this.storage === 'float16' ? GGML_TYPE.F16 : GGML_TYPE.F32;
    const ne = toNe(this.physicalAxes.map((i) => this.shape[i]));
    const byteLength = rt.api.ggml_row_size(ggmlType, ne[0]) * ne[1] * ne[2] * ne[3];
    this.base = rt.allocate('createSequenceBuffer', { shape: this.shape, dtype: 'float32', ggmlType, byteLength, zero: true });
    rt.scopes.keep(this.base);
  }

  get length(): number {
    return this.filled;
  }

  append(values: Tensor, options: SequenceBufferAppendOptions = {}): Tensor {
    if (this.disposed) throw new BackendError('SequenceBuffer.append', 'the buffer was disposed');
    const x = asNode('SequenceBuffer.append', values);
    const { axis, shape } = this;
    const n = x.shape[axis];
    const fits = x.dtype === 'float32' && x.shape.length === shape.length && x.shape.every((d, i) => i === axis || d === shape[i]);
    if (!fits)
      throw new BackendError('SequenceBuffer.append', `float32 values ${fmt(x.shape)} (${x.dtype}) do not match the buffer ${fmt(shape)} outside axis ${axis}`);
    if (this.filled + n > this.capacity) {
      throw new BackendError(
        'SequenceBuffer.append',
        `${this.filled} + ${n} positions exceed the capacity ${this.capacity}; create a larger buffer and append the filled part to it`,
      );
    }
    const count = options.viewLength ?? this.filled + n;
    if (!Number.isInteger(count) || count < this.filled + n || count > this.capacity) {
      throw new BackendError(
        'SequenceBuffer.append',
        `viewLength ${options.viewLength} must be an integer from the filled length ${this.filled + n} to the capacity ${this.capacity}`,
      );
    }
    const start = this.filled;
    const after = this.last ? [this.last] : [];
    // one position (a decode step): written at the index an input holds, so the next step's graph is this one's;
    // several (a prompt): one strided copy into their slot (single-value rows would index every element)
    const slot = n === 1 && options.slot ? slotNode(options.slot) : undefined;
    const index = n === 1 ? (slot ?? this.slotInput(start)) : undefined;
    const write = this.rt.node('SequenceBuffer.write', {
      shape: x.shape,
      dtype: 'float32',
      ggmlType: this.base.ggmlType,
      inputs: index ? [this.base, x, index, ...after] : [this.base, x, ...after],
      recipe: index
        ? { key: '', effect: true, emit: (e, [pb, px, pi]) => this.writeOne(e, pb, e.f32(px, x.ggmlType), pi) }
        : { key: `${start}`, effect: true, emit: (e, [pb, px]) => e.api.ggml_cpy(e.ctx, e.f32(px, x.ggmlType), this.view(e, pb, start, n)) },
    });
    if (index !== slot) index?.dispose(); // the write holds it
    this.rt.scopes.keep(write); // owned by the buffer until the next write takes over
    this.filled += n;
    const full = this.rt.node('SequenceBuffer.view', {
      shape: shape.map((d, i) => (i === axis ? count : d)),
      dtype: 'float32',
      ggmlType: this.base.ggmlType,
      inputs: [this.base, write],
      recipe: { key: '', view: true, emit: (e, [pb]) => this.view(e, pb, 0, count) },
    });
    this.last?.dispose();
    this.last = write; // the buffer's handle on the write; the view holds another
    return full;
  }

  advance(positions: number): void {
    if (this.disposed) throw new BackendError('SequenceBuffer.advance', 'the buffer was disposed');
    if (!Number.isInteger(positions) || positions < 0 || this.filled + positions > this.capacity) {
      throw new BackendError('SequenceBuffer.advance', `${positions} more positions do not fit: ${this.filled} of ${this.capacity} are filled`);
    }
    this.filled += positions;
  }

  rewind(positions: number): void {
    if (this.disposed) throw new BackendError('SequenceBuffer.rewind', 'the buffer was disposed');
    if (!Number.isInteger(positions) || positions < 0 || positions > this.filled) {
      throw new BackendError('SequenceBuffer.rewind', `cannot rewind ${positions} positions: ${this.filled} are filled`);
    }
    this.filled -= positions;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.last?.dispose();
    this.last = undefined;
    this.base.dispose();
  }

  /** The index one new position `at` lands at, as an int32 `[1]` input (when the caller gave no `slot`). */
  private slotInput(at: number): GraphNode {
    return this.rt.input('SequenceBuffer.slot', { shape: [1], dtype: 'int32', ggmlType: GGML_TYPE.I32, bytes: new Uint8Array(Int32Array.of(at).buffer) });
  }

  /**
   * `ggml_set_rows` of one new position `x` (logical order) into `base` at the position `slot` holds (int32 `[1]`,
   * broadcast over the other axes). Growing axis not innermost: row `slot` of the buffer seen as
   * `[inner, capacity, outer...]`. Innermost (values): the buffer seen as `[1, capacity, others]`, one single-value row
   * per element of the position.
   */
  private writeOne(e: Emitter, base: NativePointer, x: NativePointer, slot: NativePointer): NativePointer {
    const { api, ctx } = e;
    const rank = this.shape.length;
    const physical = this.physicalAxes;
    const at = physical.indexOf(this.axis);
    const dims = physical.map((i) => this.shape[i]);
    if (at < rank - 1) {
      // [inner, capacity, outer...]: the growing axis is ggml dimension 1, the new values' rows go in whole
      const inner = dims.slice(at + 1).reduce((m, d) => m * d, 1);
      const outer = [dims[at - 1] ?? 1, dims[at - 2] ?? 1];
      const dst = api.ggml_reshape_4d(ctx, base, inner, this.capacity, outer[0], outer[1]);
      return api.ggml_set_rows(ctx, dst, e.reshape(x, [inner, 1, outer[0], outer[1]]), slot);
    }
    // values: the new values permuted into the stored order (position innermost), one element per row
    const to = [0, 1, 2, 3].map((g) => (g < rank ? rank - 1 - physical.indexOf(rank - 1 - g) : g));
    const stored = e.cont(api.ggml_permute(ctx, x, to[0], to[1], to[2], to[3]));
    const others = dims.reduce((m, d) => m * d, 1) / this.capacity;
    const dst = api.ggml_reshape_4d(ctx, base, 1, this.capacity, others, 1);
    return api.ggml_set_rows(ctx, dst, e.reshape(stored, [1, 1, others, 1]), slot);
  }

  /** ggml view of positions `[from, from + count)` along the axis, in the logical axis order. */
  private view(e: Emitter, base: NativePointer, from: number, count: number): NativePointer {
    const { api, ctx } = e;
    const rank = this.shape.length;
    const physical = this.physicalAxes;
    const physicalShape = physical.map((i) => this.shape[i]);
    const strides = new Array<number>(rank); // bytes, per physical axis
    let stride = api.ggml_row_size(this.base.ggmlType, 1);
    for (let j = rank - 1; j >= 0; j--) {
      strides[j] = stride;
      stride *= physicalShape[j];
    }
    const at = physical.indexOf(this.axis);
    const viewShape = physicalShape.map((d, j) => (j === at ? count : d));
    const ne = toNe(viewShape);
    const nb = [0, 1, 2, 3].map((g) => (g < rank ? strides[rank - 1 - g] : 0));
    // a dimension of extent 1 is never stepped: give it the packed stride so ggml's layout checks see what is there
    for (let g = 1; g < 4; g++) if (ne[g] === 1) nb[g] = nb[g - 1] * ne[g - 1];
    const v = api.ggml_view_4d(ctx, base, ne[0], ne[1], ne[2], ne[3], nb[1], nb[2], nb[3], from * strides[at]);
    if (physical.every((axis, j) => axis === j)) return v;
    // ggml dimension g of the stored order is logical axis physical[rank - 1 - g], i.e. logical ggml dimension
    const to = [0, 1, 2, 3].map((g) => (g < rank ? rank - 1 - physical[rank - 1 - g] : g));
    return api.ggml_permute(ctx, v, to[0], to[1], to[2], to[3]);
  }
}

/** The `slot` of an append: an int32 `[1]` tensor of this backend. */
function slotNode(slot: Tensor): GraphNode {
  const node = asNode('SequenceBuffer.append', slot);
  if (node.dtype !== 'int32' || node.shape.length !== 1 || node.shape[0] !== 1) {
    throw new BackendError('SequenceBuffer.append', `slot must be an int32 [1] tensor (the buffer's length), got ${node.dtype} ${fmt(node.shape)}`);
  }
  return node;
}
