/** What {@link StopStringMatcher.push} returns: text that is safe to emit, and whether a stop string was reached. */
export interface StopStringMatch {
  /** Text that can no longer become part of a stop string (without the stop string itself). */
  text: string;
  /** True when a stop string was found; `text` ends right before it and nothing more should be emitted. */
  stopped: boolean;
}

/**
 * Finds stop strings in streamed text, spanning any number of pushes.
 *
 * It holds back the longest end of the text that is the start of some stop string, so emitted text never needs to be
 * taken back; when a stop string completes, the text before it is released and the stop string dropped. With no
 * stop strings, text passes straight through.
 */
export class StopStringMatcher {
  private held = '';
  private done = false;

  constructor(private readonly stops: readonly string[]) {}

  /** Adds text; returns what can be emitted now. After a stop, returns empty text. */
  push(text: string): StopStringMatch {
    if (this.done) return { text: '', stopped: true };
    const buffer = this.held + text;
    let at = -1;
    for (const stop of this.stops) {
      const index = buffer.indexOf(stop);
      if (index >= 0 && (at < 0 || index < at)) at = index;
    }
    if (at >= 0) {
      this.done = true;
      this.held = '';
      return { text: buffer.slice(0, at), stopped: true };
    }
    const keep = this.partialMatchLength(buffer);
    this.held = buffer.slice(buffer.length - keep);
    return { text: buffer.slice(0, buffer.length - keep), stopped: false };
  }

  /** Releases the held-back text (the stream ended without a stop string). */
  flush(): string {
    const text = this.done ? '' : this.held;
    this.held = '';
    return text;
  }

  /** Length of the longest end of `buffer` that is a proper start of a stop string. */
  private partialMatchLength(buffer: string): number {
    let best = 0;
    for (const stop of this.stops) {
      for (let length = Math.min(stop.length - 1, buffer.length); length > best; length--) {
        if (buffer.endsWith(stop.slice(0, length))) {
          best = length;
          break;
        }
      }
    }
    return best;
  }
}
