import { BackendError, type SequenceBuffer, type SequenceBufferOptions, type SequenceBufferStorage, type Tensor } from '@pio/core';
import type { Emitter } from '../graph/emitter.js';
import type { GraphNode } from '../graph/graph-node.js';
import type { GraphRuntime } from '../graph/graph-runtime.js';
import { toNe } from '../graph/ggml-shape.js';
import { GGML_TYPE, type NativePointer } from '../runtime/ggml-api.js';
import { asNode, fmt } from './op-support.js';

/**
 * {@link SequenceBuffer} on ggml: one tensor allocated for `capacity` positions; `append` records a `ggml_cpy` of the
 * new positions into their slot (an effect node, so it runs in the graph of whatever reads the buffer, before the
 * readers) and returns a strided view of the filled part. Each write depends on the previous one, so no write is
 * lost when a returned view goes unread. Readers such as attention take the strided view as is (`mul_mat` reads
 * rows through their strides), so a decode step copies only its new positions.
 */
export class GgmlSequenceBuffer implements SequenceBuffer {
  readonly capacity: number;
  readonly storage: SequenceBufferStorage;
  private filled = 0;
  private readonly base: GraphNode;
  private readonly axis: number;
  private readonly shape: readonly number[];
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
    const ggmlType = this.storage === 'float16' ? GGML_TYPE.F16 : GGML_TYPE.F32;
    const ne = toNe(this.shape);
    const byteLength = rt.api.ggml_row_size(ggmlType, ne[0]) * ne[1] * ne[2] * ne[3];
    this.base = rt.allocate('createSequenceBuffer', { shape: this.shape, dtype: 'float32', ggmlType, byteLength });
    rt.scopes.keep(this.base);
  }

  get length(): number {
    return this.filled;
  }

  append(values: Tensor): Tensor {
    if (this.disposed) throw new BackendError('SequenceBuffer.append', 'the buffer was disposed');
    const x = asNode('SequenceBuffer.append', values);
    const { axis, shape } = this;
    const n = x.shape[axis];
    const fits = x.dtype === 'float32' && x.shape.length === shape.length && x.shape.every((d, i) => i === axis || d === shape[i]);
    if (!fits) throw new BackendError('SequenceBuffer.append', `float32 values ${fmt(x.shape)} (${x.dtype}) do not match the buffer ${fmt(shape)} outside axis ${axis}`);
    if (this.filled + n > this.capacity) {
      throw new BackendError('SequenceBuffer.append', `${this.filled} + ${n} positions exceed the capacity ${this.capacity}; create a larger buffer and append the filled part to it`);
    }
    const start = this.filled;
    const ggmlType = this.base.ggmlType;
    const slot = (e: Emitter, base: NativePointer, from: number, count: number): NativePointer => this.view(e, base, from, count);
    const write = this.rt.node('SequenceBuffer.write', {
      shape: x.shape,
      dtype: 'float32',
      ggmlType,
      inputs: this.last ? [this.base, x, this.last] : [this.base, x],
      recipe: { effect: true, emit: (e, [pb, px]) => e.api.ggml_cpy(e.ctx, e.f32(px, x.ggmlType), slot(e, pb, start, n)) },
    });
    this.rt.scopes.keep(write); // owned by the buffer until the next write takes over
    this.filled += n;
    const count = this.filled;
    const full = this.rt.node('SequenceBuffer.view', {
      shape: shape.map((d, i) => (i === axis ? count : d)),
      dtype: 'float32',
      ggmlType,
      inputs: [this.base, write],
      recipe: { view: true, emit: (e, [pb]) => slot(e, pb, 0, count) },
    });
    this.last?.dispose();
    this.last = write; // the buffer's handle on the write; the view holds another
    return full;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.last?.dispose();
    this.last = undefined;
    this.base.dispose();
  }

  /** ggml view of positions `[from, from + count)` along the axis (strides of the whole buffer). */
  private view(e: Emitter, base: NativePointer, from: number, count: number): NativePointer {
    const ne = toNe(this.shape);
    const nb = [e.api.ggml_row_size(this.base.ggmlType, 1)];
    for (let i = 1; i < 4; i++) nb.push(nb[i - 1] * ne[i - 1]);
    const dim = this.shape.length - 1 - this.axis;
    const viewNe = [...ne];
    viewNe[dim] = count;
    // a dimension of extent 1 is never stepped: give it the packed stride so ggml's layout checks see what is there
    for (let i = 1; i < 4; i++) if (viewNe[i] === 1) nb[i] = nb[i - 1] * viewNe[i - 1];
    return e.api.ggml_view_4d(e.ctx, base, viewNe[0], viewNe[1], viewNe[2], viewNe[3], nb[1], nb[2], nb[3], from * nb[dim]);
  }
}
