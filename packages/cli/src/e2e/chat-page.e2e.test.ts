import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_TIMEOUT_MS, ensureBuilt, REPO_ROOT } from '../testing/run-pio.js';
import { type ServingPio, servePio } from '../testing/serve-pio.js';

/** Debian's chromium (`.ci/run` installs it): playwright-core drives it, it downloads no browser of its own. */
const CHROMIUM = process.env.PIO_CHROMIUM ?? '/usr/bin/chromium';
const QWEN = join(REPO_ROOT, 'models', 'qwen3vl-tiny-random');
const GLM = join(REPO_ROOT, 'packages', 'plugin-glm-flash', 'src', '__fixtures__', 'glm47flash-tiny');

/** Counts how often the last answer's text changed (a streamed answer changes many times). */
async function watchAnswer(page: Page): Promise<void> {
  // a string: it runs in the page (the test's TypeScript has no DOM types)
  await page.evaluate(`
    window.answerUpdates = 0;
    new MutationObserver(() => (window.answerUpdates += 1)).observe(document.getElementById('messages'), { subtree: true, characterData: true, childList: true });
  `);
}

describe('the chat page of `pio serve`, in headless Chromium', () => {
  let server: ServingPio;
  let url: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (as .ci/run does), or set PIO_CHROMIUM`);
    ensureBuilt(['plugin-qwen3-vl', 'plugin-glm-flash']);
    server = await servePio(['--model', QWEN, '--model', `glm=${GLM}`, '--port', '0', '--threads', '1'], {
      env: { PIO_PLUGIN_PATH: join(REPO_ROOT, 'packages') },
    });
    url = server.url;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1100, height: 760 } });
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
  });

  it('is ready once it says it listens', async () => {
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', models: ['qwen3vl-tiny-random', 'glm'] });
  });

  it('streams an answer about an attached image from the tiny Qwen3-VL', async () => {
    await page.goto(`${url}/`);
    await expect.poll(() => page.locator('#model option').allTextContents()).toEqual(['qwen3vl-tiny-random', 'glm']);
    await page.fill('#max-tokens', '24');
    await page.fill('#temperature', '0'); // greedy: the same tokens every run (sampling could draw an end token early)
    await page.setInputFiles('#image', join(QWEN, 'image.png'));
    await page.locator('#attachments img').waitFor();
    await watchAnswer(page);
    await page.fill('#prompt', 'Describe this image.');
    await page.press('#prompt', 'Enter');
    const answer = page.locator('.message.assistant').last();
    await answer.locator('.meta').waitFor({ timeout: 60_000 });
    expect(await page.locator('.message.user img').count()).toBe(1); // the image went with the question
    expect(await answer.locator('.content').textContent()).not.toBe('');
    expect(await answer.locator('.meta').textContent()).toMatch(/^finish: length · 24 tokens · [\d.]+ s$/);
    // many small updates, not one: the text arrived as a stream
    expect(await page.evaluate('window.answerUpdates')).toBeGreaterThan(10);
    if (process.env.PIO_CHAT_SCREENSHOT) await page.screenshot({ path: process.env.PIO_CHAT_SCREENSHOT });
  });

  it('stops a long answer with the Stop button', async () => {
    // long and fast (over 1,000 tokens/s on the tiny model): a page that lays out the whole answer per token freezes
    await page.fill('#max-tokens', '20000');
    await page.fill('#prompt', 'Write a long story.');
    await page.press('#prompt', 'Enter');
    const answer = page.locator('.message.assistant').last();
    await expect.poll(async () => (await answer.locator('.content').textContent())?.length ?? 0).toBeGreaterThan(0);
    await page.click('#stop');
    await answer.locator('.meta').waitFor();
    expect(await answer.locator('.meta').textContent()).toMatch(/^finish: stopped · [\d.]+ s$/);
    expect(await page.locator('#status').textContent()).toBe('Stopped.');
    expect(await page.locator('#send').isVisible()).toBe(true);
  });

  it("shows GLM-4.7-Flash's thinking apart from its answer", async () => {
    await page.click('#new-chat');
    await page.selectOption('#model', 'glm');
    await page.fill('#max-tokens', '12');
    await page.fill('#prompt', 'What is 2 + 2?');
    await page.press('#prompt', 'Enter');
    const answer = page.locator('.message.assistant').last();
    await answer.locator('.meta').waitFor({ timeout: 60_000 });
    // the template opens a think block, so the random weights' tokens stream as reasoning_content
    expect(await answer.locator('details summary').textContent()).toBe('Thinking');
    expect((await answer.locator('details .thinking').textContent())?.length).toBeGreaterThan(0);
    expect(await answer.locator('.meta').textContent()).toMatch(/^finish: length · 12 tokens/);
  });
});
