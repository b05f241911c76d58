import { BackendError, type RecordedStep, type StepValues } from '@pio/core';
import type { CachedGraph } from './graph-cache.js';
import type { GraphNode } from './graph-node.js';

/** What a {@link RecordedGraph} needs of the runtime that recorded it (implemented by `GraphRuntime`). */
export interface RecordingHost {
  /** Reruns `entry` with `bytes[k]` copied into its input `k` (in `entry.inputs` order); resolves to its final tensor's values. */
  replayGraph(entry: CachedGraph, bytes: readonly Uint8Array[], output: { count: number; int32: boolean }): Promise<StepValues>;
  /** Lets go of a recording's graph and of the tensors it kept alive. */
  releaseRecording(entry: CachedGraph, held: readonly GraphNode[]): void;
}

/** A declared input of a recording: its element count and whether it holds int32. */
interface DeclaredInput {
  readonly count: number;
  readonly int32: boolean;
}

/**
 * {@link RecordedStep} on ggml: a kept graph (pinned in the `GraphCache` while the recording lives) and, for each of
 * its host inputs, where a replay takes the values from: a declared input (`replay`'s `values[k]`) or the bytes it
 * was recorded with. The tensors the graph reads from outside (weights, cache buffers) are held alive meanwhile.
 */
export class RecordedGraph implements RecordedStep {
  private disposed = false;

  constructor(
    private readonly host: RecordingHost,
    private readonly entry: CachedGraph,
    /** The declared inputs, in `recordStep`'s order. */
    private readonly declared: readonly DeclaredInput[],
    /** Per graph input (in `entry.inputs` order): the declared input's index, or the recorded bytes. */
    private readonly sources: ReadonlyArray<number | Uint8Array>,
    readonly shape: readonly number[],
    private readonly int32: boolean,
    /** Tensors outside the graph that it reads (released on dispose). */
    private readonly held: readonly GraphNode[],
  ) {}

  replay(values: readonly StepValues[]): Promise<StepValues> {
    if (this.disposed) return Promise.reject(new BackendError('RecordedStep.replay', 'the recording was disposed'));
    if (values.length !== this.declared.length) {
      return Promise.reject(
        new BackendError('RecordedStep.replay', `needs ${this.declared.length} input values (one per declared input), got ${values.length}`),
      );
    }
    for (const [k, d] of this.declared.entries()) {
      const v = values[k];
      const fits = (d.int32 ? v instanceof Int32Array : v instanceof Float32Array) && v.length === d.count;
      if (!fits) {
        const want = `${d.count} ${d.int32 ? 'int32 (Int32Array)' : 'float32 (Float32Array)'} values`;
        return Promise.reject(
          new BackendError('RecordedStep.replay', `declared input ${k} takes ${want}, got ${v?.length ?? 'no'} ${v?.constructor?.name ?? ''}`.trim()),
        );
      }
    }
    const bytes = this.sources.map((s) => (typeof s === 'number' ? new Uint8Array(values[s].buffer, values[s].byteOffset, values[s].byteLength) : s));
    const count = this.shape.reduce((a, b) => a * b, 1);
    return this.host.replayGraph(this.entry, bytes, { count, int32: this.int32 });
  }

  matches(other: RecordedStep): boolean {
    if (!(other instanceof RecordedGraph) || other.host !== this.host || this.disposed || other.disposed) return false;
    if (!this.entry.signature.equals(other.entry.signature) || this.int32 !== other.int32) return false;
    if (this.declared.length !== other.declared.length || this.sources.length !== other.sources.length) return false;
    for (const [k, d] of this.declared.entries()) if (d.count !== other.declared[k].count || d.int32 !== other.declared[k].int32) return false;
    return this.sources.every((s, i) => {
      const o = other.sources[i];
      if (typeof s === 'number' || typeof o === 'number') return s === o;
      return s.byteLength === o.byteLength && Buffer.compare(s, o) === 0;
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.host.releaseRecording(this.entry, this.held);
  }
}
