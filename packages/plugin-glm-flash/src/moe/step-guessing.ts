import type { ExpertCache } from './experts.js';

/** Guessed steps looked back on to decide whether guessing pays. */
const WINDOW = 16;
/** Exact steps after the first pause; doubled at each pause in a row, up to {@link MAX_PAUSE}. */
const FIRST_PAUSE = 16;
const MAX_PAUSE = 1024;

/**
 * When a GLM model under an expert budget guesses its decode steps: computes a step in one graph as if every routed
 * expert were resident (`ExpertSlots.guess`), so the step needs no host read between layers and is replayed like a
 * step with every expert resident, and runs it again layer by layer (loading the missed experts) when the logits carry
 * a miss's NaN mark (`DecoderModel.rejectsStep`).
 *
 * A rejected step costs the guess and the exact step, so guessing pays while few steps miss. When more than a quarter
 * of the last {@link WINDOW} guessed steps (at least half a window) missed, the next decode steps run exactly for a
 * pause (16 steps, doubling while the misses go on, up to 1024), then guessing resumes. Routing that hits the resident
 * experts (a budget near the expert count, or a workload that keeps to few experts) is guessed nearly always; routing
 * spread over more experts than the budget falls back to the exact path at a small cost.
 */
export class StepGuessing {
  private outcomes: boolean[] = [];
  private pause = 0;
  private nextPause = FIRST_PAUSE;
  /** Whether the last decode step asked about guessed (replays of a recorded step guess as it did). */
  private guessed = false;

  constructor(private readonly experts: ExpertCache) {}

  /** Whether the next decode step (not a retry) guesses; counts a paused step down. */
  next(): boolean {
    this.guessed = this.pause === 0;
    if (!this.guessed) this.pause--;
    return this.guessed;
  }

  /** `DecoderModel.rejectsStep`: true when a decode step's logits carry a NaN (a guess that missed). */
  rejects(logits: Float32Array): boolean {
    const missed = logits.some(Number.isNaN);
    // paused steps run exactly (a NaN there is the model's own, and its retry returns it)
    if (this.guessed) this.note(missed);
    return missed;
  }

  private note(missed: boolean): void {
    this.experts.noteStep(missed);
    this.outcomes.push(missed);
    if (this.outcomes.length > WINDOW) this.outcomes.shift();
    const misses = this.outcomes.filter(Boolean).length;
    if (this.outcomes.length >= WINDOW / 2 && misses * 4 > this.outcomes.length) {
      this.pause = this.nextPause;
      this.nextPause = Math.min(2 * this.nextPause, MAX_PAUSE);
      this.outcomes = [];
    } else if (this.outcomes.length === WINDOW) {
      this.nextPause = FIRST_PAUSE;
    }
  }
}
