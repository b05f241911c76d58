import { spawn } from 'node:child_process';
import { cp, mkdir, readdir, readFile, realpath, symlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createPluginManager, TrustError } from '@pio/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '@pio/core/testing/temp-dir';
import { oneCoreNode } from './run/one-core-node.js';
import { EXAMPLES_DIR, runExample } from './run/run-example.js';
import { writeCharShiftModel } from './run/write-char-shift-model.js';
import { writeMyModel } from './run/write-my-model.js';

const ROOT = resolve(EXAMPLES_DIR, '..');
const QWEN_TINY = join(ROOT, 'models/qwen3vl-tiny-random');
const QWEN_GOLDEN_TEXT = join(ROOT, 'packages/plugin-qwen3-vl/src/__fixtures__/qwen3vl-tiny/golden_text.json');
const GLM_TINY = join(ROOT, 'models/glm47flash-tiny-random'); // the copy of the plugin's fixture the guides name

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
    const round = /\[round 0: (\d+) chars of thinking, finish: length\]\n$/.exec(stdout);
    expect(round).not.toBeNull();
    // With thinking on, the template opens the think block, so the output is routed to `reasoning`, not printed.
    expect(Number(round![1])).toBeGreaterThan(0);
    expect(stdout).not.toContain('[round 1');
  });
});

describe('structured-output.ts on the random-weight Qwen3-VL fixture', () => {
  it('prints JSON that follows the schema and a forced tool call with its arguments', async () => {
    const { stdout } = await runExample('structured-output.ts', [QWEN_TINY], EXAMPLES_DIR);
    const lines = stdout.trim().split('\n');
    const json = /^\[stop\] (.*)$/.exec(lines[0]);
    expect(json, stdout).not.toBeNull();
    const value = JSON.parse(json![1]) as Record<string, unknown>;
    expect(Object.keys(value).slice(0, 1)).toEqual(['name']);
    expect(typeof value.population === 'number' && Number.isInteger(value.population) && value.population >= 0).toBe(true);
    expect(lines[1]).toMatch(/^name: /);
    const call = /^\[tool_calls\] get_weather\((.*)\)$/.exec(lines[2]);
    expect(call, stdout).not.toBeNull();
    const args = JSON.parse(call![1]) as { city: string; unit: string };
    expect(['celsius', 'fahrenheit']).toContain(args.unit);
    expect(typeof args.city).toBe('string');
  }, 240_000);
});

describe('the server example against `pio serve`', () => {
  it('query-the-server.ts lists the model, completes a chat, and streams the same answer', async () => {
    // `pio serve` from the CLI's sources, on a free port, serving the tiny Qwen3-VL under its folder name.
    const cli = join(ROOT, 'packages/cli/src/cli.ts');
    const serve = oneCoreNode([
      '--conditions=@pio/source',
      '--import',
      join(EXAMPLES_DIR, '..', 'scripts', 'register-ts.mjs'),
      cli,
      'serve',
      '--model',
      QWEN_TINY,
      '--port',
      '0',
      '--quiet',
    ]);
    const server = spawn(serve.command, serve.args, { cwd: EXAMPLES_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
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
  const project = makeTempDir('pio-third-party-');

  beforeAll(async () => {
    // A fresh project: the plugin installed in node_modules as npm would, @pio packages linked, a model folder.
    await cp(join(EXAMPLES_DIR, 'third-party-plugin'), join(project, 'node_modules/pio-plugin-char-shift'), { recursive: true });
    await mkdir(join(project, 'node_modules/@pio'), { recursive: true });
    for (const pkg of ['core', 'backend-tfjs']) await symlink(join(ROOT, 'packages', pkg), join(project, 'node_modules/@pio', pkg), 'dir');
    await cp(join(EXAMPLES_DIR, 'use-third-party-plugin.ts'), join(project, 'use-third-party-plugin.ts'));
    await writeCharShiftModel(join(project, 'models/char-shift'), 1);
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

/** Relative paths of the files under `dir` (node_modules and dist left out), sorted. */
async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') out.push(...(await listFiles(dir, path)));
    } else out.push(path);
  }
  return out.sort();
}

describe('the plugin of docs/writing-a-plugin.md, made with `pio new plugin my-model`', () => {
  const PLUGIN = join(EXAMPLES_DIR, 'pio-plugin-my-model');
  const work = makeTempDir('pio-my-model-');

  it('examples/pio-plugin-my-model is exactly what `pio new plugin my-model` writes today', async () => {
    const cli = join(ROOT, 'packages/cli/src/cli.ts');
    const { stdout } = await runExample(cli, ['new', 'plugin', 'my-model'], work);
    expect(stdout).toContain('Created');
    const fresh = join(work, 'pio-plugin-my-model');
    const files = await listFiles(fresh);
    expect(await listFiles(PLUGIN)).toEqual(files);
    for (const file of files) {
      expect(await readFile(join(PLUGIN, file), 'utf8'), file).toBe(await readFile(join(fresh, file), 'utf8'));
    }
  });

  it('installed in an application, it is discovered, trusted, matched to its model and generates', async () => {
    // The application: the plugin package in node_modules (unbuilt: the manager runs its `source` entry), its
    // dependencies linked, and a model folder. src/my-model-plugin.test.ts (run by this suite) checks the logits.
    const app = join(work, 'app');
    await cp(PLUGIN, join(app, 'node_modules/pio-plugin-my-model'), { recursive: true, filter: (src) => !src.includes('node_modules') });
    await mkdir(join(app, 'node_modules/@pio'), { recursive: true });
    for (const pkg of ['core', 'backend-tfjs']) await symlink(join(ROOT, 'packages', pkg), join(app, 'node_modules/@pio', pkg), 'dir');
    await symlink(await realpath(join(EXAMPLES_DIR, 'node_modules/zod')), join(app, 'node_modules/zod'), 'dir');
    await cp(join(EXAMPLES_DIR, 'use-my-plugin.ts'), join(app, 'use-my-plugin.ts'));
    await writeMyModel(join(app, 'models/my-model'));

    const { stdout } = await runExample('use-my-plugin.ts', ['models/my-model'], app);
    expect(stdout.trim().split('\n')).toEqual([
      'plugin my-model 0.1.0: sandboxed',
      'models/my-model runs with my-model',
      'w3 w4 w5 w6 (stop)', // the weights count up one word per token, then <eos>
    ]);
  });
});
