/** Host values of a tensor, as `Tensor.data` returns them. */
export type StepValues = Float32Array | Int32Array;

/**
 * A computation recorded by {@link Backend.recordStep}: it reruns the computation with new values of its declared
 * inputs, without running the code that recorded it again (a decode step's forward pass: thousands of op calls).
 *
 * A replay computes exactly what the recorded code would record for inputs of the same shapes: the same graph, the
 * same weights, every undeclared input with its recorded values. Writes into persistent buffers
 * (`SequenceBuffer.append`) happen again, at the positions the declared inputs give (`slot`). The caller makes sure
 * nothing else the code depends on changed since (`matches` compares two recordings of consecutive runs).
 */
export interface RecordedStep {
  /** Shape of the values {@link RecordedStep.replay} resolves to (the recorded output's). */
  readonly shape: readonly number[];
  /**
   * Reruns the computation with `values[i]` in place of declared input `i` (as many elements as it has, in its
   * dtype's array: `Int32Array` for int32) and resolves to the output's values. Replays and reads run one at a time,
   * in the order asked for. A declared input the computation does not read is ignored.
   *
   * @throws {@link BackendError} (rejects) when `values` do not fit the declared inputs, or the recording or the
   * backend was disposed
   */
  replay(values: readonly StepValues[]): Promise<StepValues>;
  /**
   * True when `other` is the same computation: the same graph over the same weights and buffers, the same declared
   * inputs, and byte-identical values in every undeclared input. Two recordings of consecutive decode steps that
   * match show that the step depends on nothing but its declared inputs, so later steps can be replayed.
   */
  matches(other: RecordedStep): boolean;
  /** Frees what the recording holds (the backend may then reuse its graph's memory). Safe to call twice. */
  dispose(): void;
}
