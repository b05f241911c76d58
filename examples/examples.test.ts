import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createPluginManager, TrustError } from '@pio/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES_DIR, runExample } from './run/run-example.js';
import { writeCharShiftModel } from './run/write-char-shift-model.js';

const ROOT = resolve(EXAMPLES_DIR, '..');
const QWEN_TINY = join(ROOT, 'models/qwen3vl-tiny-random');
const QWEN_GOLDEN_TEXT = join(ROOT, 'packages/plugin-qwen3-vl/src/__fixtures__/qwen3vl-tiny/golden_text.json');
const GLM_TINY = join(ROOT, 'packages/plugin-glm-flash/src/__fixtures__/glm47flash-tiny');

async function qwenChatCase(name: string): Promise<{ input_ids: number[]; input_ids_expanded?: number[] }> {
  const golden = JSON.parse(await readFile(QWEN_GOLDEN_TEXT, 'utf8'));
  return golden.chat_cases.find((c: { name: string }) => c.name === name);
}

describe('examples run as Node scripts on the fixture models', () => {
  it('first-generation.ts generates, then streams the same text', async () => {
    const { stdout } = await runExample('first-generation.ts', [QWEN_TINY], EXAMPLES_DIR);
    const lines = stdout.split('\n');
    // The prompt is rendered as the reference renders "Hello! How are you today?" with the model's chat template.
    const textCase = await qwenChatCase('text_single');
    expect(lines).toContain(`[${textCase.input_ids.length} prompt tokens, 12 new, finish: length]`);
    expect(lines).toContain('[stream matches]');
  });

  it('ask-about-an-image.ts asks Qwen3-VL about an image', async () => {
    const { stdout } = await runExample('ask-about-an-image.ts', [QWEN_TINY, join(QWEN_TINY, 'image.png')], EXAMPLES_DIR);
    // The prompt length is the reference's (transformers' template + image expansion for "Describe this image.").
    const imageCase = await qwenChatCase('image');
    const usage = stdout.trim().split('\n').at(-1);
    expect(usage).toBe(`(${imageCase.input_ids_expanded!.length} prompt tokens, 16 new, finish: length)`);
  });

  it('chat-with-tools.ts streams a GLM-4.7-Flash chat with thinking and tools', async () => {
    const { stdout } = await runExample('chat-with-tools.ts', [GLM_TINY], EXAMPLES_DIR);
    // Random weights never call the tool, so the chat ends after the first round, at the token limit.
    expect(stdout).toMatch(/\[round 0: \d+ chars of thinking, finish: length\]\n$/);
    expect(stdout).not.toContain('[round 1');
  });
});

describe('the server example against `pio serve`', () => {
  it('query-the-server.ts lists the model, completes a chat, and streams the same answer', async () => {
    // `pio serve` from the CLI's sources, on a free port, serving the tiny Qwen3-VL under its folder name.
    const cli = join(ROOT, 'packages/cli/src/cli.ts');
    const server = spawn(process.execPath, ['--conditions=@pio/source', '--import', join(EXAMPLES_DIR, 'run/register-ts.mjs'), cli, 'serve', '--model', QWEN_TINY, '--port', '0', '--quiet'], {
      cwd: EXAMPLES_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        let out = '';
        let err = '';
        server.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /listening on (http:\/\/\S+)/.exec(out);
          if (match) resolveUrl(match[1]);
        });
        server.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
        server.on('exit', (code) => reject(new Error(`pio serve exited with ${code}:\n${out}\n${err}`)));
      });
      const { stdout } = await runExample('query-the-server.ts', [url, 'qwen3vl-tiny-random'], EXAMPLES_DIR);
      const lines = stdout.split('\n');
      expect(lines[0]).toBe('models: qwen3vl-tiny-random');
      expect(lines[2]).toBe('finish: length, 8 tokens');
      const answer = lines[1].slice('answer:'.length);
      expect(lines[3]).toBe(`streamed:${answer}`);
    } finally {
      server.kill('SIGTERM');
    }
  });
});

describe('a third-party plugin package from a separate project', () => {
  let project: string;

  beforeAll(async () => {
    // A fresh project: the plugin installed in node_modules as npm would, @pio packages linked, a model folder.
    project = await mkdtemp(join(tmpdir(), 'pio-third-party-'));
    await cp(join(EXAMPLES_DIR, 'third-party-plugin'), join(project, 'node_modules/pio-plugin-char-shift'), { recursive: true });
    await mkdir(join(project, 'node_modules/@pio'), { recursive: true });
    for (const pkg of ['core', 'backend-tfjs']) await symlink(join(ROOT, 'packages', pkg), join(project, 'node_modules/@pio', pkg), 'dir');
    await cp(join(EXAMPLES_DIR, 'use-third-party-plugin.ts'), join(project, 'use-third-party-plugin.ts'));
    await writeCharShiftModel(join(project, 'models/char-shift'), 1);
  });
  afterAll(async () => {
    await rm(project, { recursive: true, force: true });
  });

  it('is discovered by its keyword without importing its code, and refused while untrusted', async () => {
    const manager = createPluginManager({ cwd: project, backend: undefined });
    const { plugins, errors } = await manager.discoverPlugins({ searchPaths: [] });
    expect(errors).toEqual([]);
    const found = plugins.find((p) => p.packageName === 'pio-plugin-char-shift');
    expect(found?.manifest.name).toBe('char-shift');
    expect(found?.version).toBe('1.0.0');
    expect(manager.listPlugins().find((p) => p.name === 'char-shift')).toMatchObject({ trustLevel: 'untrusted', codeLoaded: false });
    const refused = await manager.activatePlugin('char-shift', { modelPath: 'models/char-shift' }).catch((error: unknown) => error);
    expect(TrustError.isInstance(refused)).toBe(true);
    await manager.dispose();
  });

  it('use-third-party-plugin.ts trusts it, activates it and runs the model', async () => {
    const { stdout } = await runExample('use-third-party-plugin.ts', [], project);
    const lines = stdout.trim().split('\n');
    expect(lines).toContain('found char-shift 1.0.0 (pio-plugin-char-shift)');
    expect(lines.at(-1)).toBe('IBM'); // each byte shifted by one by the weights written above
  });
});
