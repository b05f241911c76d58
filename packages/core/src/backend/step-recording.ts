import type { RecordedStep, StepValues } from './recorded-step.js';

/** What {@link Backend.recordStep} resolves to. */
export interface StepRecording {
  /** The output's values. */
  readonly values: StepValues;
  /** The output's shape. */
  readonly shape: readonly number[];
  /**
   * The recording, to replay the computation with new input values; `undefined` when it cannot be replayed as
   * recorded (see {@link Backend.recordStep}). The caller disposes it.
   */
  readonly step: RecordedStep | undefined;
}
