import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '@pio/core/testing/temp-dir';
import { BUILD_TIMEOUT_MS, ensureBuilt, REPO_ROOT } from '../testing/run-pio.js';
import { withPioServe } from '../testing/serve-pio.js';

const ENV = { PIO_PLUGIN_PATH: join(REPO_ROOT, 'packages') };
const QWEN = join(REPO_ROOT, 'packages', 'plugin-qwen3-vl', 'src', '__fixtures__', 'qwen3vl-tiny');

describe('pio serve with two models of one plugin', () => {
  const dir = makeTempDir('pio-two-models-');
  beforeAll(async () => {
    ensureBuilt(['plugin-qwen3-vl']);
    await cp(QWEN, join(dir, 'first'), { recursive: true });
    await cp(QWEN, join(dir, 'second'), { recursive: true });
  }, BUILD_TIMEOUT_MS);
  it('serves both copies of the tiny Qwen3-VL under their ids, each on its own plugin instance', async () => {
    const args = ['--model', `a=${join(dir, 'first')}`, '--model', `b=${join(dir, 'second')}`, '--port', '0'];
    const exit = await withPioServe(args, { env: ENV }, async ({ url }) => {
      const baseURL = `${url}/v1`;
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
      const plugins = (await (await fetch(`${url}/plugins`)).json()) as { data: Array<{ id: string }> };
      expect(plugins.data.map((p) => p.id).filter((id) => id.startsWith('qwen3-vl'))).toEqual(['qwen3-vl']);
    });
    expect(exit).toBe(0);
  });
});
