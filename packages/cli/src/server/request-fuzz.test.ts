import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/start-test-server.js';

/** Request-shaped JSON: the real fields with random values, random extra fields, random content parts. */
const part = fc.oneof(
  fc.record({ type: fc.constant('text'), text: fc.oneof(fc.string(), fc.jsonValue()) }),
  fc.record({
    type: fc.constant('image_url'),
    image_url: fc.record({
      url: fc.oneof(
        fc.string(),
        fc.constantFrom('data:image/png;base64,', 'data:,%', 'file:///etc/passwd', 'http://127.0.0.1:1/x', 'data:image/png;base64,iVBORw0KGgo='),
      ),
    }),
  }),
  fc.jsonValue(),
);
const message = fc.record(
  {
    role: fc.oneof(fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool'), fc.string()),
    content: fc.oneof(fc.string(), fc.array(part, { maxLength: 4 }), fc.constant(null), fc.jsonValue()),
    tool_calls: fc.array(
      fc.record({ id: fc.string(), type: fc.constant('function'), function: fc.record({ name: fc.string(), arguments: fc.oneof(fc.string(), fc.json()) }) }),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: ['role'] },
);
const body = fc.oneof(
  fc.record(
    {
      model: fc.oneof(fc.constant('echo'), fc.string()),
      messages: fc.oneof(fc.array(message, { maxLength: 4 }), fc.jsonValue()),
      max_tokens: fc.oneof(fc.integer({ min: -5, max: 50 }), fc.double(), fc.string()),
      temperature: fc.oneof(fc.double(), fc.string()),
      stream: fc.oneof(fc.boolean(), fc.jsonValue()),
      tools: fc.jsonValue(),
      chat_template_kwargs: fc.jsonValue(),
      logprobs: fc.jsonValue(),
      top_logprobs: fc.jsonValue(),
      stop: fc.jsonValue(),
    },
    { requiredKeys: [] },
  ),
  fc.jsonValue(),
);

describe('the request schema under random JSON', () => {
  let t: TestServer;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  beforeAll(async () => {
    t = await startTestServer({ maxImagesPerRequest: 4 });
    process.on('unhandledRejection', onUnhandled);
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await t.close();
  });

  it('never answers 5xx, never leaves an unhandled rejection, and keeps memory bounded', async () => {
    const before = process.memoryUsage().rss;
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.constantFrom('/v1/chat/completions', '/v1/completions', '/models/echo/inference', '/models/register'),
        async (payload, path) => {
          const response = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
          const text = await response.text();
          expect(response.status, `${path} ${JSON.stringify(payload).slice(0, 300)} -> ${text.slice(0, 300)}`).toBeLessThan(500);
        },
      ),
      { numRuns: 300, interruptAfterTimeLimit: 60_000 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 400 }), async (raw) => {
        const response = await fetch(`${t.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw });
        await response.arrayBuffer();
        expect(response.status).toBeLessThan(500);
      }),
      { numRuns: 200, interruptAfterTimeLimit: 30_000 },
    );
    await new Promise((done) => setTimeout(done, 50));
    expect(unhandled).toEqual([]);
    expect(process.memoryUsage().rss - before).toBeLessThan(300 * 1024 * 1024);
  });
});
