#!/usr/bin/env node
// The guides in docs/ include the example files verbatim. A code block preceded by a marker line
//   <!-- example: examples/first-generation.ts -->
// must hold exactly that file's text. `node scripts/guide-examples.mjs` rewrites every such block from its file;
// Before that, it regenerates examples/pio-plugin-my-model with the CLI's own `pio new plugin my-model` (from source),
// since docs/writing-a-plugin.md walks through that package. `--check` only reports drift (examples/guides.test.ts
// and examples/examples.test.ts run the same checks in the test suite).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MARKER = /^<!-- example: (\S+) -->\n```(\w*)\n([\s\S]*?)```$/gm;

/** Every guide: `docs/*.md`. */
export function guideFiles() {
  return readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => join(ROOT, 'docs', f));
}

/** The example blocks of a guide: `{ file, code }` in order. */
export function exampleBlocks(markdown) {
  return [...markdown.matchAll(MARKER)].map((m) => ({ file: m[1], language: m[2], code: m[3] }));
}

/** The guide's text with every example block replaced by its file's current text. */
export function syncGuide(markdown) {
  return markdown.replace(MARKER, (_, file, language) => {
    const code = readFileSync(join(ROOT, file), 'utf8');
    return `<!-- example: ${file} -->\n\`\`\`${language}\n${code.endsWith('\n') ? code : `${code}\n`}\`\`\``;
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  if (!check) {
    const dir = join(ROOT, 'examples', 'pio-plugin-my-model');
    rmSync(dir, { recursive: true, force: true });
    const hooks = join(ROOT, 'scripts', 'register-ts.mjs');
    const cli = join(ROOT, 'packages', 'cli', 'src', 'cli.ts');
    execFileSync(process.execPath, ['--conditions=@pio/source', '--import', hooks, cli, 'new', 'plugin', 'my-model', '--dir', dir], {
      cwd: ROOT,
      stdio: 'ignore',
    });
  }
  let drift = 0;
  for (const guide of guideFiles()) {
    const text = readFileSync(guide, 'utf8');
    const synced = syncGuide(text);
    if (synced === text) continue;
    drift++;
    if (check) console.error(`${guide}: an example block differs from its file (run node scripts/guide-examples.mjs)`);
    else writeFileSync(guide, synced);
  }
  if (check && drift > 0) process.exit(1);
}
