import type { Terminal } from './terminal.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A spinner with a changing label, drawn only on a live terminal; elsewhere `start`/`stop` print plain lines. */
export class Spinner {
  private timer: NodeJS.Timeout | undefined;
  private frame = 0;
  private text = '';

  constructor(private readonly terminal: Terminal) {}

  /** Starts spinning with `text`. */
  start(text: string): void {
    this.text = text;
    if (!this.terminal.live) {
      this.terminal.info(text);
      return;
    }
    this.draw();
    this.timer = setInterval(() => this.draw(), 100);
    this.timer.unref();
  }

  /** Changes the label. */
  update(text: string): void {
    this.text = text;
  }

  /** Stops (clearing its line if it was drawn) and prints `message`, if any. Safe to call twice. */
  stop(message?: string): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.terminal.clearLine();
    }
    if (message) this.terminal.info(message);
  }

  private draw(): void {
    this.frame = (this.frame + 1) % FRAMES.length;
    this.terminal.redraw(`${this.terminal.style('cyan', FRAMES[this.frame] ?? '')} ${this.text}`);
  }
}
