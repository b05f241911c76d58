/** A writable text stream, possibly a terminal. */
export interface TextOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Styles the CLI uses. */
export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';

const CODES: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  cyan: [36, 39],
};

/**
 * Where the CLI draws: colours only on a terminal and without `NO_COLOR`; live widgets (progress
 * bars, spinners) only on a terminal and without `--quiet`.
 */
export class Terminal {
  /** Colours are on. */
  readonly colors: boolean;
  /** Live, redrawn widgets are allowed. */
  readonly live: boolean;

  constructor(
    readonly output: TextOutput,
    env: Readonly<Record<string, string | undefined>>,
    readonly quiet = false,
  ) {
    const tty = output.isTTY === true;
    this.colors = tty && env.NO_COLOR === undefined && env.TERM !== 'dumb';
    this.live = tty && !quiet && env.TERM !== 'dumb';
  }

  /** `text` in `style` (unchanged without colours). */
  style(style: Style, text: string): string {
    if (!this.colors) return text;
    const [open, close] = CODES[style];
    return `\u001b[${open}m${text}\u001b[${close}m`;
  }

  /** Writes a line. */
  line(text = ''): void {
    this.output.write(`${text}\n`);
  }

  /** Writes a status line, unless quiet. */
  info(text: string): void {
    if (!this.quiet) this.line(text);
  }

  /** Redraws the current line (terminal only). */
  redraw(text: string): void {
    const width = Math.max(20, (this.output.columns || 80) - 1);
    const plain = text.replace(/\u001b\[[0-9;]*m/g, '');
    this.output.write(`\r\u001b[2K${plain.length > width ? plain.slice(0, width) : text}`);
  }

  /** Clears the current line (terminal only). */
  clearLine(): void {
    if (this.live) this.output.write('\r\u001b[2K');
  }
}
