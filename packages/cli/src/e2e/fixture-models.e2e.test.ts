import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureBuilt, REPO_ROOT, runPio } from '../testing/run-pio.js';
import { withPioServe } from '../testing/serve-pio.js';

/** The workspace's plugin packages are found through PIO_PLUGIN_PATH (a node_modules-like folder). */
const ENV = { PIO_PLUGIN_PATH: join(REPO_ROOT, 'packages') };
const QWEN = join(REPO_ROOT, 'packages', 'plugin-qwen3-vl', 'src', '__fixtures__', 'qwen3vl-tiny');
const GLM = join(REPO_ROOT, 'packages', 'plugin-glm-flash', 'src', '__fixtures__', 'glm47flash-tiny');

interface ChatCase {
  name: string;
  messages: Array<{ role: string; content: unknown }>;
  input_ids: number[];
  input_ids_expanded?: number[];
}

/** Prompt lengths from the fixtures' golden_text.json (the chat template rendered by transformers, then encoded). */
async function chatCase(dir: string, name: string): Promise<ChatCase> {
  const golden = JSON.parse(await readFile(join(dir, 'golden_text.json'), 'utf8')) as { chat_cases: ChatCase[] };
  const found = golden.chat_cases.find((c) => c.name === name);
  if (!found) throw new Error(`no chat case ${name}`);
  return found;
}

describe('the built pio binary on the tiny Qwen3-VL and GLM-4.7-Flash fixtures', () => {
  beforeAll(() => ensureBuilt(['plugin-qwen3-vl', 'plugin-glm-flash']), BUILD_TIMEOUT_MS);

  it('lists both plugins', async () => {
    const { code, stdout } = await runPio(['list'], { env: ENV });
    expect(code).toBe(0);
    expect(stdout).toMatch(/glm-flash\s+\S+\s+text\s+text\s+Glm4MoeLiteForCausalLM\s+@pio\/plugin-glm-flash/);
    expect(stdout).toMatch(/qwen3-vl\s+\S+\s+text,image\s+text\s+Qwen3VLForConditionalGeneration\s+@pio\/plugin-qwen3-vl/);
  });

  it('describes each model with its plugin, config and memory', async () => {
    const glm = await runPio(['info', GLM, '--json'], { env: ENV });
    expect(glm.code).toBe(0);
    const info = JSON.parse(glm.stdout);
    expect(info).toMatchObject({ plugin: { name: 'glm-flash' }, architecture: 'Glm4MoeLiteForCausalLM', modelType: 'glm4_moe_lite', fit: { ok: true } });
    expect(info.summary).toContainEqual(['hidden size', '64']);
    expect(info.summary).toContainEqual(['experts', '8']);
    expect(info.estimates.map((e: { storage: string }) => e.storage)).toContain('float32');
    const qwen = await runPio(['info', QWEN], { env: ENV });
    expect(qwen.stdout).toContain('Plugin     qwen3-vl');
    expect(qwen.stdout).toContain('vision           depth 4, hidden 32');
    expect(qwen.stdout).toContain('Runs here');
    // the Backend line names backend, engine, threads and storage, as the load line does
    expect(qwen.stdout).toMatch(/\nBackend {4}ggml \(ggml-cpu, \d+ threads?, float32 weights\): the native ggml build loaded\n/);
  });

  it('generates from text and from an image, prompts templated as in transformers', async () => {
    const text = await chatCase(QWEN, 'text_single');
    const plain = await runPio(['generate', '-m', QWEN, '--json', '--temperature', '0', '--max-tokens', '6', text.messages[0]!.content as string], {
      env: ENV,
    });
    expect(plain.code).toBe(0);
    const result = JSON.parse(plain.stdout);
    expect(result.plugin).toBe('qwen3-vl');
    expect(result.usage.prompt_tokens).toBe(text.input_ids.length);
    expect(result.usage.completion_tokens).toBeGreaterThan(0);
    expect(result.tokens.length).toBeLessThanOrEqual(6);

    const image = await chatCase(QWEN, 'image');
    const withImage = await runPio(
      ['generate', '-m', QWEN, '--json', '--temperature', '0', '--max-tokens', '4', '--image', join(QWEN, 'image.png'), 'Describe this image.'],
      { env: ENV },
    );
    expect(withImage.code).toBe(0);
    expect(JSON.parse(withImage.stdout).usage.prompt_tokens).toBe(image.input_ids_expanded?.length);

    const glm = await chatCase(GLM, 'single_default_thinking');
    const streamed = await runPio(['generate', '-m', GLM, '--temperature', '0', '--max-tokens', '5', glm.messages[0]!.content as string], { env: ENV });
    expect(streamed.code).toBe(0);
    expect(streamed.stderr).toMatch(/Loaded .* with glm-flash/);
    const json = await runPio(['generate', '-m', GLM, '--json', '--temperature', '0', '--max-tokens', '5', glm.messages[0]!.content as string], { env: ENV });
    const glmResult = JSON.parse(json.stdout);
    expect(glmResult.usage.prompt_tokens).toBe(glm.input_ids.length);
    expect(streamed.stdout).toBe(`${glmResult.text}\n`);
  });

  it('takes --kv-cache float16 on ggml (same greedy tokens on the fixture) and refuses other cache types', async () => {
    const text = await chatCase(QWEN, 'text_single');
    const args = ['generate', '-m', QWEN, '--json', '--temperature', '0', '--max-tokens', '6', text.messages[0]!.content as string];
    const env = { ...ENV, PIO_BACKEND: 'ggml' };
    const exact = await runPio([...args, '--kv-cache', 'float32'], { env });
    const half = await runPio([...args, '--kv-cache', 'float16'], { env });
    expect([exact.code, half.code]).toEqual([0, 0]);
    // measured on this fixture: a float16 cache moves step logits by at most 0.008, below every top-1 margin
    expect(JSON.parse(half.stdout).tokens).toEqual(JSON.parse(exact.stdout).tokens);
    const bad = await runPio([...args, '--kv-cache', 'half'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--kv-cache must be float32 or float16, got 'half'");
  });

  it('chats through stdin: the first answer is the one generate gives', async () => {
    const flags = ['-m', QWEN, '--temperature', '0', '--max-tokens', '5', '--system', 'Be brief.'];
    const single = await runPio(['generate', '--json', ...flags, 'What is 2+2?'], { env: ENV });
    const answer = JSON.parse(single.stdout).text as string;
    const chat = await runPio(['chat', ...flags], { env: ENV, stdin: 'What is 2+2?\nAnd times 10?\n/exit\n' });
    expect(chat.code).toBe(0);
    expect(chat.stdout.startsWith(`${answer}\n`)).toBe(true);
    expect(chat.stdout.length).toBeGreaterThan(answer.length + 1);
  });

  it('serves the model to the openai client, images included', async () => {
    const exit = await withPioServe(['--model', `qwen=${QWEN}`, '--port', '0'], { env: ENV }, async ({ url }) => {
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'none', maxRetries: 0 });
      const text = await chatCase(QWEN, 'text_single');
      const request = { model: 'qwen', messages: [{ role: 'user' as const, content: text.messages[0]!.content as string }], max_tokens: 5, temperature: 0 };
      const completion = await client.chat.completions.create(request);
      expect(completion.usage?.prompt_tokens).toBe(text.input_ids.length);
      let streamed = '';
      for await (const chunk of await client.chat.completions.create({ ...request, stream: true })) streamed += chunk.choices[0]?.delta.content ?? '';
      expect(streamed).toBe(completion.choices[0].message.content);

      const image = await chatCase(QWEN, 'image_openai_content_parts');
      const png = (await readFile(join(QWEN, 'image.png'))).toString('base64');
      const withImage = await client.chat.completions.create({
        model: 'qwen',
        max_tokens: 3,
        temperature: 0,
        messages: [
          { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in ' },
              { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
              { type: 'text', text: '?' },
            ],
          },
        ],
      });
      expect(withImage.usage?.prompt_tokens).toBe(image.input_ids_expanded?.length);
    });
    expect(exit).toBe(0);
  });
});
