import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '@pio/core/testing/temp-dir';
import { runCli } from './run-cli.js';
import type { HostOptions } from './services/cli-services.js';
import { captureIo } from './testing/capture-io.js';
import { createFakeServices } from './testing/fake-services.js';

const run = async (argv: string[], io = captureIo(), services = createFakeServices()) => {
  const code = await runCli(argv, { io, services: () => services, version: '9.9.9' });
  return { code, ...io.output, services };
};

describe('pio commands (in process, fake services)', () => {
  it('prints help and the version, and refuses unknown commands in one line', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    for (const name of ['list', 'models', 'info', 'doctor', 'pull', 'generate', 'chat', 'serve', 'bench', 'new']) expect(help.stdout).toContain(`  ${name}`);
    expect((await run(['generate', '--help'])).stdout).toContain('--max-tokens');
    expect((await run(['--version'])).stdout).toBe('9.9.9\n');
    const bad = await run(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("pio: unknown command 'frobnicate' (see `pio --help`)\n");
    const flag = await run(['list', '--bogus']);
    expect(flag.code).toBe(2);
    expect(flag.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('lists plugins as a table and as JSON', async () => {
    const { code, stdout, stderr } = await run(['list']);
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^NAME\s+VERSION\s+INPUT\s+OUTPUT\s+ARCHITECTURES\s+PACKAGE\s+TRUST$/);
    expect(stdout).toMatch(/echo\s+0\.0\.0\s+text,image\s+text\s+EchoForCausalLM\s+pio-plugin-echo\s+verified/);
    expect(stderr).toContain('warning: pio-plugin-broken: invalid manifest');
    const json = JSON.parse((await run(['list', '--json'])).stdout);
    expect(json.plugins[0]).toMatchObject({ name: 'echo', architectures: ['EchoForCausalLM'] });
  });

  it('lists local models as a table (size, plugin or none) and as JSON', async () => {
    const { code, stdout, stderr } = await run(['models']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^MODEL\s+REVISION\s+SIZE\s+PLUGIN\s+FOLDER$/);
    expect(lines[1]).toMatch(
      /^tiny-org\/echo\s+abcdef01 main\s+3\.0 MB\s+echo\s+\/cache\/models--tiny-org--echo\/snapshots\/abcdef0123456789abcdef0123456789abcdef01$/,
    );
    expect(lines[2]).toMatch(/^\/models\/unknown\s+-\s+512 B\s+none\s+\/models\/unknown$/);
    expect(lines[3]).toBe('2 models, 3.0 MB on disk');
    expect(stderr).toBe('warning: /models/unknown: config.json is not valid JSON\n');
    const json = JSON.parse((await run(['models', '--json'])).stdout);
    expect(json.models.map((m: { plugin: unknown }) => m.plugin)).toEqual([{ name: 'echo', version: '0.0.0', packageName: 'pio-plugin-echo' }, null]);
    expect(json.totalBytes).toBe(3 * 2 ** 20 + 512);
    expect((await run(['models', 'extra'])).code).toBe(2);
  });

  it('describes a model', async () => {
    const { code, stdout } = await run(['info', 'org/echo']);
    expect(code).toBe(0);
    expect(stdout).toContain('Plugin     echo 0.0.0 (pio-plugin-echo)');
    expect(stdout).toContain('Parameters 1.0 K');
    expect(stdout).toMatch(/float32\s+4\.00\s+3\.9 KB\s+1000 B @ 4096 tok\s+4\.9 KB/);
    expect(stdout).toContain('Runs here: float32 on cpu.');
    expect(stdout).toContain('\nBackend    ggml (ggml-cpu, 4 threads, float32 weights): the native ggml build loaded\n');
    expect((await run(['info'])).code).toBe(2);
  });

  it('reports the machine and advises on engines', async () => {
    const { code, stdout } = await run(['doctor']);
    expect(code).toBe(0);
    expect(stdout).toContain('GPU 0    NVIDIA Test');
    expect(stdout).toContain('npm install @tensorflow/tfjs-node-gpu');
    expect(stdout).toMatch(/@tensorflow\/tfjs-backend-wasm\s+installed 4\.22\.0/);
    expect(stdout).toMatch(/@pio\/backend-ggml\s+not installed/);
    expect(stdout).toContain('npm install @pio/backend-ggml');
  });

  it('pulls with plain progress lines when not on a terminal', async () => {
    const { code, stdout, stderr } = await run(['pull', 'org/model']);
    expect(code).toBe(0);
    expect(stdout).toBe('/cache/models--org--model/snapshots/abc\n');
    expect(stderr).toContain('resuming model.safetensors from 1000 bytes');
    expect(stderr).toContain('Pulling org/model 100% (3.9 KB/3.9 KB)');
    expect(stderr).not.toContain('\r');
    expect((await run(['pull', 'not-a-repo'])).code).toBe(2);
    expect((await run(['-q', 'pull', 'org/model'])).stderr).toBe('');
  });

  it('downloads a Hub id that is not on this machine before generating, like pio pull', async () => {
    const { code, stdout, stderr } = await run(['generate', '--model', 'missing/model', 'hello']);
    expect(code).toBe(0);
    expect(stdout).toBe('echo: hello\n');
    expect(stderr).toContain('missing/model is not on this machine: downloading it into the Hugging Face cache');
    expect(stderr).toContain('Pulling missing/model 100% (3.9 KB/3.9 KB)');
    expect(stderr).toContain('Loaded /cache/models--missing--model/snapshots/abc with echo');
  });

  it('generates text, streamed or as JSON, with images', async () => {
    const dir = makeTempDir('pio-cli-');
    await writeFile(join(dir, 'cat.png'), Buffer.alloc(9));
    const streamed = await run(['generate', '--model', 'org/echo', '--max-tokens', '10', '--temperature', '0', 'hello', 'there']);
    expect(streamed.code).toBe(0);
    expect(streamed.stdout).toBe('echo: hello there\n');
    expect(streamed.stderr).toContain('Loaded org/echo with echo');
    expect(streamed.services.hosts[0].closed).toBe(true);
    const json = await run(['generate', '-m', 'org/echo', '--json', '--image', 'cat.png', 'look'], captureIo({ cwd: dir }));
    expect(json.code).toBe(0);
    const result = JSON.parse(json.stdout);
    expect(result).toMatchObject({
      text: 'echo: [image 9 bytes] look',
      finish_reason: 'stop',
      usage: { prompt_tokens: 1, completion_tokens: 3, total_tokens: 4 },
    });
    expect(result.tokens).toHaveLength(3);
    expect(typeof result.timings.generate_ms).toBe('number');
    const missing = await run(['generate', 'hi']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--model is required');
    const badNumber = await run(['generate', '-m', 'x', '--max-tokens', 'many', 'hi']);
    expect(badNumber.stderr).toContain("--max-tokens must be an integer, got 'many'");
    const failing = await run(['generate', '-m', 'missing', 'hi']);
    expect(failing.code).toBe(1);
    expect(failing.stderr.trim().split('\n')).toHaveLength(1);
    const verbose = await run(['generate', '-m', 'missing', '--verbose', 'hi']);
    expect(verbose.stderr).toContain('    at ');
  });

  it('refuses a --threads that is not a positive integer with a usage error naming the flag, before loading anything', async () => {
    const bad: Array<[string, string]> = [
      ['0', '--threads must be 1 or more, got 0'],
      ['-1', '--threads must be 1 or more, got -1'],
      ['abc', "--threads must be an integer, got 'abc'"],
      ['2.5', "--threads must be an integer, got '2.5'"],
      ['NaN', "--threads must be an integer, got 'NaN'"],
      ['Infinity', "--threads must be an integer, got 'Infinity'"],
      ['1e30', "--threads must be an integer, got '1e30'"],
      ['2147483648', '--threads must be at most 2147483647, got 2147483648'],
      ['', "--threads must be an integer, got ''"],
    ];
    for (const argv of [
      ['generate', '-m', 'org/echo'],
      ['chat', '-m', 'org/echo'],
      ['serve', '-m', 'org/echo', '--port', '0'],
      ['bench', '-m', 'org/echo'],
    ]) {
      for (const [value, message] of bad) {
        const { code, stderr, services } = await run([...argv, `--threads=${value}`, ...(argv[0] === 'generate' ? ['hi'] : [])]);
        expect(code, `${argv[0]} --threads ${value}`).toBe(2);
        expect(stderr).toContain(message);
        expect(stderr).toContain(`see \`pio ${argv[0]} --help\``);
        expect(services.hosts).toHaveLength(0);
      }
    }
    // a positive integer reaches the host as given
    const services = createFakeServices();
    const created: HostOptions[] = [];
    const createHost = services.createHost.bind(services);
    services.createHost = (options) => (created.push(options), createHost(options));
    const ok = await run(['generate', '-m', 'org/echo', '--threads', '3', 'hi'], captureIo(), services);
    expect(ok.code).toBe(0);
    expect(created.map((options) => options.threads)).toEqual([3]);
  });

  it('chats through piped stdin with history, /image, /reset and /exit', async () => {
    const dir = makeTempDir('pio-chat-');
    await writeFile(join(dir, 'dog.png'), Buffer.alloc(4));
    const io = captureIo({ cwd: dir, stdin: 'hello\n/image dog.png\nwhat is this\n/reset\nbye now\n/exit\nnever sent\n' });
    const { code, stdout, stderr } = await run(['chat', '--model', 'org/echo', '--system', 'be nice'], io);
    expect(code).toBe(0);
    expect(stdout).toBe('echo: hello\necho: [image 4 bytes] what is this\necho: bye now\n');
    expect(stderr).toContain('(image dog.png attached to your next message)');
    expect(stderr).toContain('(conversation reset)');
  });

  it('stops the current chat answer on Ctrl-C and keeps going', async () => {
    const stdin = new PassThrough();
    const io = captureIo({ stdin });
    const services = createFakeServices({ delayMs: 20 });
    const done = run(['chat', '-m', 'org/echo'], io, services);
    stdin.write(`${Array.from({ length: 100 }, (_, i) => `w${i}`).join(' ')}\n`);
    await expect.poll(() => io.output.stdout.length).toBeGreaterThan(10);
    io.interrupt();
    await expect.poll(() => io.output.stderr).toContain('(stopped)');
    stdin.end('short\n');
    const { code, stdout } = await done;
    expect(code).toBe(0);
    expect(stdout.trim().split('\n').at(-1)).toBe('echo: short');
    expect(stdout).not.toContain('w99');
  });

  it('serves until SIGTERM, then drains and exits 0', async () => {
    const io = captureIo({ env: { PIO_API_KEY: 'k' } });
    const done = run(['serve', '--model', 'tiny=org/echo', '--port', '0'], io);
    await expect.poll(() => io.output.stdout).toContain('PIO server listening on http://127.0.0.1:');
    const url = /listening on (\S+)/.exec(io.output.stdout)?.[1];
    expect(io.output.stdout).toContain('(models: tiny) with API key');
    expect((await fetch(`${url}/v1/models`)).status).toBe(401);
    const models = (await (await fetch(`${url}/v1/models`, { headers: { authorization: 'Bearer k' } })).json()) as { data: Array<{ id: string }> };
    expect(models.data.map((m) => m.id)).toEqual(['tiny']);
    io.terminate();
    const { code, stdout } = await done;
    expect(code).toBe(0);
    expect(stdout).toContain('PIO server stopped');
  });

  it('benchmarks and prints JSON', async () => {
    const { code, stdout } = await run(['bench', '-m', 'org/echo', '--prompt-tokens', '8', '--max-tokens', '4', '--runs', '2', '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ plugin: 'echo', runs: 2, prompt_tokens: 8, completion_tokens: 4 });
    for (const key of ['time_to_first_token_ms', 'prefill_tokens_per_second', 'decode_tokens_per_second', 'peak_rss_bytes'])
      expect(typeof result[key]).toBe('number');
  });
});
