import { describe, expect, it } from 'vitest';
import { ProgressBar } from './progress-bar.js';
import { Spinner } from './spinner.js';
import { Terminal } from './terminal.js';

const output = (isTTY: boolean) => {
  const sink = { text: '', isTTY, columns: 120, write: (text: string) => (sink.text += text) };
  return sink;
};

describe('terminal rendering', () => {
  it('colours only on a terminal without NO_COLOR', () => {
    expect(new Terminal(output(true), {}).style('red', 'x')).toBe('\u001b[31mx\u001b[39m');
    expect(new Terminal(output(true), { NO_COLOR: '1' }).style('red', 'x')).toBe('x');
    expect(new Terminal(output(false), {}).style('red', 'x')).toBe('x');
  });

  it('redraws one line on a terminal and prints plain quarter steps elsewhere', () => {
    const tty = output(true);
    const live = new ProgressBar(new Terminal(tty, { NO_COLOR: '1' }), 'Pulling');
    live.update(512, 1024);
    live.update(1024, 1024);
    live.finish('done');
    expect(tty.text.startsWith('\r\u001b[2KPulling ████████████░░░░░░░░░░░░  50% 512 B/1.0 KB')).toBe(true);
    expect(tty.text).toContain('100% 1.0 KB/1.0 KB');
    expect(tty.text.endsWith('\r\u001b[2Kdone\n')).toBe(true);

    const pipe = output(false);
    const plain = new ProgressBar(new Terminal(pipe, {}), 'Loading', 'items');
    for (let i = 1; i <= 8; i++) plain.update(i, 8);
    expect(pipe.text).toBe('Loading 13% (1/8)\nLoading 25% (2/8)\nLoading 50% (4/8)\nLoading 75% (6/8)\nLoading 100% (8/8)\n');

    const quiet = output(false);
    new ProgressBar(new Terminal(quiet, {}, true), 'Loading').update(1, 1);
    expect(quiet.text).toBe('');
  });

  it('spins only on a live terminal', () => {
    const tty = output(true);
    const spinner = new Spinner(new Terminal(tty, {}));
    spinner.start('Loading');
    spinner.stop('Loaded');
    expect(tty.text).toContain('Loading');
    expect(tty.text.endsWith('\r\u001b[2KLoaded\n')).toBe(true);
    const pipe = output(false);
    const plain = new Spinner(new Terminal(pipe, {}));
    plain.start('Loading');
    plain.stop();
    expect(pipe.text).toBe('Loading\n');
  });
});
