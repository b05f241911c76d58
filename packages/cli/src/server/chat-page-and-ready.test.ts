import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '@pio/core/testing/temp-dir';
import { splitModelSpec } from '../commands/serve-command.js';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';

describe('GET /ready, GET / (the chat page) and model ids', () => {
  let test: TestServer | undefined;
  afterEach(async () => {
    await test?.close();
    test = undefined;
  });

  it('/ready answers 503 with Retry-After until the server is marked ready, then 200; no API key needed', async () => {
    test = await startTestServer({ startReady: false, apiKey: 'secret' });
    const loading = await fetch(`${test.url}/ready`);
    expect(loading.status).toBe(503);
    expect(loading.headers.get('retry-after')).toBe('1');
    expect(await loading.json()).toEqual({ status: 'loading', models: ['echo'] });
    test.server.ready = true;
    const ready = await fetch(`${test.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', models: ['echo'] });
  });

  it('serves the chat page and its own script and style, with a same-origin content security policy', async () => {
    test = await startTestServer({ apiKey: 'secret' });
    const page = await fetch(`${test.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/chat/chat.js"></script>');
    expect(html).not.toMatch(/https?:\/\//); // nothing from a CDN
    const script = await fetch(`${test.url}/chat/chat.js`);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain("fetch('/v1/chat/completions'");
    expect((await fetch(`${test.url}/chat/chat.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    // only the page's files
    const other = await fetch(`${test.url}/chat/package.json`);
    expect(other.status).toBe(404);
    expect((await fetch(`${test.url}/chat/..%2Fpackage.json`)).status).toBe(404);
    // the API itself still needs the key
    expect((await fetch(`${test.url}/v1/models`)).status).toBe(401);
  });

  it('names a served model after its folder, even a relative path that looks like a Hub id', async () => {
    const cwd = makeTempDir('pio-model-ids-');
    await mkdir(join(cwd, 'models', 'qwen3vl-tiny-random'), { recursive: true });
    expect(splitModelSpec('models/qwen3vl-tiny-random', cwd)).toEqual(['qwen3vl-tiny-random', 'models/qwen3vl-tiny-random']);
    expect(splitModelSpec('./models/qwen3vl-tiny-random', cwd)).toEqual(['qwen3vl-tiny-random', './models/qwen3vl-tiny-random']);
    expect(splitModelSpec('Qwen/Qwen3-VL-2B-Instruct', cwd)).toEqual(['Qwen/Qwen3-VL-2B-Instruct', 'Qwen/Qwen3-VL-2B-Instruct']);
    expect(splitModelSpec('tiny=models/qwen3vl-tiny-random', cwd)).toEqual(['tiny', 'models/qwen3vl-tiny-random']);
  });
});
