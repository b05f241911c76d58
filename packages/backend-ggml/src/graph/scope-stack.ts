import type { Tensor } from '@pio/core';

/** Tracks tensors created inside nested `Backend.scope` calls. */
export class ScopeStack {
  private readonly stack: Array<Set<Tensor>> = [];

  /** Registers a new tensor with the innermost scope (if any). */
  track(t: Tensor): void {
    this.stack[this.stack.length - 1]?.add(t);
  }

  /** Removes `t` from every enclosing scope so none of them frees it. */
  keep(t: Tensor): void {
    for (const s of this.stack) s.delete(t);
  }

  /** Runs `fn`; disposes what it created except `survivors(result)`, which move to the parent scope. */
  run<T>(fn: () => T, survivors: (result: T) => Tensor[]): T {
    const created = new Set<Tensor>();
    this.stack.push(created);
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.stack.pop();
      for (const t of created) t.dispose();
      throw error;
    }
    this.stack.pop();
    const keep = new Set(survivors(result));
    for (const t of created) if (!keep.has(t)) t.dispose();
    for (const t of keep) if (created.has(t)) this.track(t);
    return result;
  }
}
