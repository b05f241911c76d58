import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureBuilt, REPO_ROOT, startPio } from '../testing/run-pio.js';

const ENV = { PIO_PLUGIN_PATH: join(REPO_ROOT, 'packages') };
const QWEN = join(REPO_ROOT, 'packages', 'plugin-qwen3-vl', 'src', '__fixtures__', 'qwen3vl-tiny');

describe('pio serve with two models of one plugin', () => {
  let dir: string;
  beforeAll(async () => {
    ensureBuilt(['plugin-qwen3-vl']);
    dir = await mkdtemp(join(tmpdir(), 'pio-two-models-'));
    await cp(QWEN, join(dir, 'first'), { recursive: true });
    await cp(QWEN, join(dir, 'second'), { recursive: true });
  }, BUILD_TIMEOUT_MS);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('serves both copies of the tiny Qwen3-VL under their ids, each on its own plugin instance', async () => {
    const child = startPio(['serve', '--model', `a=${join(dir, 'first')}`, '--model', `b=${join(dir, 'second')}`, '--port', '0'], { env: ENV });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      await expect.poll(() => stdout, { timeout: 120_000 }).toContain('listening on');
      const baseURL = `${/listening on (\S+)/.exec(stdout)?.[1]}/v1`;
      const client = new OpenAI({ baseURL, apiKey: 'none', maxRetries: 0 });
      const listed = await client.models.list();
      expect(listed.data.map((m) => m.id).sort()).toEqual(['a', 'b']);
      const ask = (model: string) =>
        client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hello there' }], max_tokens: 5, temperature: 0 });
      const [a, b] = await Promise.all([ask('a'), ask('b')]);
      expect(a.model).toBe('a');
      expect(b.model).toBe('b');
      // the same weights in both folders: the same greedy answer
      expect(b.choices[0].message.content).toBe(a.choices[0].message.content);
      expect(a.usage?.completion_tokens).toBeGreaterThan(0);
      // one plugin, no alias registered for the second model
      const plugins = (await (await fetch(`${baseURL.replace(/\/v1$/, '')}/plugins`)).json()) as { data: Array<{ id: string }> };
      expect(plugins.data.map((p) => p.id).filter((id) => id.startsWith('qwen3-vl'))).toEqual(['qwen3-vl']);
    } catch (error) {
      throw new Error(`${(error as Error).message}\npio serve stderr:\n${stderr}`, { cause: error });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
