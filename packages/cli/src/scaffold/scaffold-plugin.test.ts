import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureBuilt, REPO_ROOT, runPio } from '../testing/run-pio.js';

const run = promisify(execFile);
const BIN = join(REPO_ROOT, 'node_modules', '.bin');

/**
 * Generates a plugin with the built `pio new plugin` inside the workspace (so `@pio/core`, zod, TypeScript and
 * vitest resolve from the monorepo without an install), then type-checks, tests and builds it as generated.
 */
describe('pio new plugin', () => {
  let parent: string;
  let dir: string;
  beforeAll(async () => {
    ensureBuilt();
    parent = await mkdtemp(join(REPO_ROOT, 'packages', 'cli', '.scaffold-test-'));
    dir = join(parent, 'pio-plugin-tiny-lm');
  }, BUILD_TIMEOUT_MS);
  afterAll(() => rm(parent, { recursive: true, force: true }));

  it('writes a package that type-checks, passes its own tests, builds, and is discovered by pio', async () => {
    const created = await runPio(['new', 'plugin', 'tiny-lm'], { cwd: parent });
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`Created ${dir}`);
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    expect(pkg.keywords).toContain('pio-plugin');
    expect(pkg.pio).toMatchObject({ name: 'tiny-lm', export: 'createTinyLmPlugin', architectures: ['TinyLmForCausalLM'], modelTypes: ['tiny_lm'] });

    await run(join(BIN, 'tsc'), ['-p', 'tsconfig.json', '--noEmit'], { cwd: dir });
    const tests = await run(join(BIN, 'vitest'), ['run'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    expect(tests.stdout).toMatch(/Tests\s+4 passed/);
    await run(join(BIN, 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: dir });
    expect(existsSync(join(dir, 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(dir, 'dist', 'index.d.ts'))).toBe(true);

    const listed = await runPio(['list'], { env: { PIO_PLUGIN_PATH: parent } });
    expect(listed.stdout).toMatch(/tiny-lm\s+0\.1\.0\s+text\s+text\s+TinyLmForCausalLM\s+pio-plugin-tiny-lm\s+untrusted/);

    const again = await runPio(['new', 'plugin', 'tiny-lm'], { cwd: parent });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('is not empty');
    expect((await runPio(['new', 'plugin', 'Bad_Name'])).code).toBe(2);
  });
});
