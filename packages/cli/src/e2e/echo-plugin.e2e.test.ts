import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '@pio/core/testing/temp-dir';
import { BUILD_TIMEOUT_MS, ensureBuilt, REPO_ROOT, runPio, startPio } from '../testing/run-pio.js';
import { servePio } from '../testing/serve-pio.js';

const FIXTURES = join(REPO_ROOT, 'packages', 'cli', 'src', '__fixtures__');
const MODEL = join(FIXTURES, 'echo-model');
/** The echo plugin package is found through PIO_PLUGIN_PATH and trusted through PIO_TRUST. */
const ENV = { PIO_PLUGIN_PATH: join(FIXTURES, 'plugins'), PIO_TRUST: 'pio-plugin-echo', PIO_BACKEND: 'reference' };

describe('the built pio binary with a plugin package found on PIO_PLUGIN_PATH', () => {
  beforeAll(() => ensureBuilt(), BUILD_TIMEOUT_MS);

  it('lists the plugin', async () => {
    const { code, stdout } = await runPio(['list'], { env: ENV });
    expect(code).toBe(0);
    expect(stdout).toMatch(/echo\s+1\.2\.3\s+text,image\s+text\s+EchoForCausalLM\s+pio-plugin-echo/);
  });

  it('describes the model', async () => {
    const { code, stdout } = await runPio(['info', MODEL], { env: ENV });
    expect(code).toBe(0);
    expect(stdout).toContain('Plugin     echo 1.2.3 (pio-plugin-echo)');
    expect(stdout).toContain('Parameters 123.5 K');
    expect(stdout).toMatch(/int8\s+1\.06\s+120\.6 KB/);
    expect(stdout).toContain('Runs here: float32 on cpu.');
  });

  it('generates text and JSON, with an image', async () => {
    const dir = makeTempDir('pio-e2e-');
    await writeFile(join(dir, 'pic.png'), Buffer.alloc(6));
    const text = await runPio(['generate', '--model', MODEL, 'hello', 'world'], { env: ENV });
    expect(text).toMatchObject({ code: 0, stdout: 'echo: hello world\n' });
    expect(text.stderr).toContain('Loaded');
    const json = await runPio(['generate', '-m', MODEL, '--json', '--image', 'pic.png', '--max-tokens', '2', 'a', 'b', 'c'], { env: ENV, cwd: dir });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ plugin: 'echo', text: 'echo: [image 6 bytes]', finish_reason: 'length', usage: { completion_tokens: 2 } });
  });

  it('chats through stdin', async () => {
    const { code, stdout } = await runPio(['chat', '-m', MODEL], { env: ENV, stdin: 'hi\nagain\n/reset\nfresh\n/exit\n' });
    expect(code).toBe(0);
    expect(stdout).toBe('echo: hi (turn 1)\necho: again (turn 2)\necho: fresh (turn 1)\n');
  });

  it('fails in one line with a non-zero exit when no plugin serves the model', async () => {
    const { code, stderr } = await runPio(['generate', '-m', FIXTURES, 'hi'], { env: ENV });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^pio: .*config\.json/);
  });

  it('stops a generation on Ctrl-C (exit 130), and only the current chat answer in chat', async () => {
    const words = Array.from({ length: 300 }, (_, i) => `w${i}`).join(' ');
    const generate = startPio(['generate', '-m', MODEL, words], { env: { ...ENV, ECHO_DELAY_MS: '20' } });
    let generated = '';
    generate.stdout.on('data', (chunk: Buffer) => (generated += chunk.toString()));
    const generateExit = new Promise<number | null>((resolve) => generate.on('close', resolve));
    await expect.poll(() => generated, { timeout: 60_000 }).toContain('w3');
    generate.kill('SIGINT');
    expect(await generateExit).toBe(130);
    expect(generated).not.toContain('w299');

    const chat = startPio(['chat', '-m', MODEL], { env: { ...ENV, ECHO_DELAY_MS: '20' } });
    let answered = '';
    chat.stdout.on('data', (chunk: Buffer) => (answered += chunk.toString()));
    const chatExit = new Promise<number | null>((resolve) => chat.on('close', resolve));
    chat.stdin.write(`${words}\n`);
    await expect.poll(() => answered, { timeout: 60_000 }).toContain('w3');
    chat.kill('SIGINT');
    await expect.poll(() => answered, { timeout: 60_000 }).toMatch(/\n$/);
    chat.stdin.end('short\n/exit\n');
    expect(await chatExit).toBe(0);
    expect(answered.trim().split('\n').at(-1)).toBe('echo: short (turn 2)');
    expect(answered).not.toContain('w299');
  });

  it('serves the OpenAI API and drains on SIGTERM', async () => {
    const pio = await servePio(['--model', `echo=${MODEL}`, '--port', '0', '--api-key', 'secret'], { env: { ...ENV, ECHO_DELAY_MS: '30' } });
    const client = new OpenAI({ baseURL: `${pio.url}/v1`, apiKey: 'secret', maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'ping' }] });
    expect(completion.choices[0].message.content).toBe('echo: ping (turn 1)');
    let streamed = '';
    for await (const chunk of await client.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'a b' }], stream: true })) {
      streamed += chunk.choices[0]?.delta.content ?? '';
    }
    expect(streamed).toBe('echo: a b (turn 1)');
    // SIGTERM once the slow answer is in flight (its first words arrived), not after a fixed time
    let slow = '';
    let inFlight!: () => void;
    const started = new Promise<void>((resolve) => (inFlight = resolve));
    const reading = (async () => {
      for await (const chunk of await client.chat.completions.create({
        model: 'echo',
        messages: [{ role: 'user', content: 'one two three four five' }],
        stream: true,
      })) {
        slow += chunk.choices[0]?.delta.content ?? '';
        if (slow) inFlight();
      }
    })();
    await started;
    pio.kill('SIGTERM');
    await reading;
    expect(slow).toBe('echo: one two three four five (turn 1)');
    expect(await pio.exited).toBe(0);
    expect(pio.stdout()).toContain('PIO server stopped');
  });
});
