import { formatBytesShort } from './format-bytes-short.js';
import type { Terminal } from './terminal.js';

/**
 * A progress bar for a known total (`bytes` or plain units). On a terminal it redraws one line with
 * the percentage, amounts and rate; elsewhere it prints a plain line every 25% (nothing when quiet).
 */
export class ProgressBar {
  private readonly started = performance.now();
  private lastPlainStep = -1;
  private lastDraw = 0;

  constructor(
    private readonly terminal: Terminal,
    private readonly label: string,
    private readonly unit: 'bytes' | 'items' = 'bytes',
  ) {}

  /** Reports `done` of `total`. */
  update(done: number, total: number, detail = ''): void {
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    if (this.terminal.live) {
      const now = performance.now();
      if (now - this.lastDraw < 80 && fraction < 1) return;
      this.lastDraw = now;
      const width = 24;
      const filled = Math.round(fraction * width);
      const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
      const seconds = (now - this.started) / 1000;
      const rate = seconds > 0.2 && this.unit === 'bytes' ? ` ${formatBytesShort(done / seconds)}/s` : '';
      this.terminal.redraw(
        `${this.label} ${this.terminal.style('cyan', bar)} ${(fraction * 100).toFixed(0).padStart(3)}% ${this.amount(done)}/${this.amount(total)}${rate} ${this.terminal.style('dim', detail)}`,
      );
      return;
    }
    const step = Math.floor(fraction * 4);
    if (step > this.lastPlainStep) {
      this.lastPlainStep = step;
      this.terminal.info(`${this.label} ${(fraction * 100).toFixed(0)}% (${this.amount(done)}/${this.amount(total)})${detail ? ` ${detail}` : ''}`);
    }
  }

  /** Ends the bar with a final line. */
  finish(message: string): void {
    this.terminal.clearLine();
    this.terminal.info(message);
  }

  private amount(value: number): string {
    return this.unit === 'bytes' ? formatBytesShort(value) : String(value);
  }
}
