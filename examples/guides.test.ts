import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { npmInstallLines, SAMPLE_ARGS, sampleBlocks } from '../scripts/release-check.mjs';
import { EXAMPLES_DIR } from './run/run-example.js';

// The guides include every sample verbatim from examples/ (a fenced block right after `<!-- example: <path> -->`),
// so what the docs show is what examples.test.ts runs. `node scripts/guide-examples.mjs` rewrites the blocks.
const ROOT = resolve(EXAMPLES_DIR, '..');
const DOCS = join(ROOT, 'docs');
const MARKER = /^<!-- example: (\S+) -->\n```\w*\n([\s\S]*?)```$/gm;

async function guides(): Promise<Array<{ name: string; text: string }>> {
  // The guides, and the root README (its usage sample must run too).
  const names = (await readdir(DOCS)).filter((f) => f.endsWith('.md')).sort();
  const docs = await Promise.all(names.map(async (name) => ({ name, text: await readFile(join(DOCS, name), 'utf8') })));
  return [...docs, { name: 'README.md', text: await readFile(join(ROOT, 'README.md'), 'utf8') }];
}

describe('guides and examples', () => {
  it('every example block in a guide equals its file', async () => {
    let blocks = 0;
    for (const guide of await guides()) {
      for (const [, file, code] of guide.text.matchAll(MARKER)) {
        blocks++;
        const text = await readFile(join(ROOT, file), 'utf8');
        expect(code, `${guide.name}: block of ${file} (run node scripts/guide-examples.mjs)`).toBe(text.endsWith('\n') ? text : `${text}\n`);
      }
    }
    expect(blocks).toBeGreaterThan(0);
  });

  it('every sample in examples/ is shown in a guide', async () => {
    const shown = new Set((await guides()).flatMap((g) => [...g.text.matchAll(MARKER)].map((m) => m[1])));
    const samples = (await readdir(EXAMPLES_DIR)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => `examples/${f}`);
    samples.push('examples/third-party-plugin/package.json', 'examples/third-party-plugin/index.js');
    expect(samples.filter((s) => !shown.has(s))).toEqual([]);
  });

  it('every ts/js code block of a guide is an included example (no untested samples)', async () => {
    for (const guide of await guides()) {
      const lines = guide.text.split('\n');
      lines.forEach((line, i) => {
        if (/^```(ts|typescript|js|javascript)$/.test(line)) {
          expect(lines[i - 1], `${guide.name}:${i + 1}: a ${line.slice(3)} block without an <!-- example: --> marker`).toMatch(/^<!-- example: \S+ -->$/);
        }
      });
    }
  });
});

describe('the CLI reference', () => {
  it('names every pio command and every option its --help shows', async () => {
    // The commands' own help texts are the source of truth; the reference must not miss any of them.
    const { COMMANDS } = await import('../packages/cli/src/run-cli.js');
    const reference = await readFile(join(DOCS, 'cli-and-server.md'), 'utf8');
    const missing: string[] = [];
    for (const command of COMMANDS) {
      if (!reference.includes(`pio ${command.name}`)) missing.push(`pio ${command.name}`);
      for (const [flag] of command.help.matchAll(/--[a-z][a-z-]*/g)) {
        if (flag !== '--help' && !new RegExp(`${flag}(?![a-z-])`).test(reference)) {
          missing.push(`pio ${command.name} ${flag}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('the release check (pnpm release-check) finds the install lines it runs verbatim, and knows how to run every sample', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const gettingStarted = await readFile(join(DOCS, 'getting-started.md'), 'utf8');
    const packages = '@pio/core @pio/backend-ggml @pio/backend-tfjs @pio/plugin-qwen3-vl';
    expect(npmInstallLines(readme)).toContain(`npm install ${packages}`);
    expect(npmInstallLines(gettingStarted)).toEqual([
      `npm install ${packages} @pio/plugin-glm-flash`,
      'npm install @tensorflow/tfjs-node',
      'npm install @tensorflow/tfjs-node-gpu',
      'npm install -g @pio/cli',
    ]);
    const samples = [...sampleBlocks(readme), ...sampleBlocks(gettingStarted)].map((b) => b.file.split('/').at(-1));
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.filter((file) => file === undefined || !(file in SAMPLE_ARGS))).toEqual([]);
  });
});
