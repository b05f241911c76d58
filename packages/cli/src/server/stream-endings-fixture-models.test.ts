import { join } from 'node:path';
import type { Backend, CausalLM, ChatCompletionDelta, DecoderSession, PluginManager } from '@pio/core';
import type { TextModelPlugin } from '@pio/core/plugin-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelHost } from '../host/model-host.js';
import { FIXTURE_BACKEND_NAMES } from '../testing/fixture-backends.js';
import { REPO_ROOT } from '../testing/run-pio.js';
import { type FixtureModelServer, startFixtureModelServer } from '../testing/start-fixture-model-server.js';
import { waitUntil as until } from '../testing/wait-until.js';

/**
 * How a stream ends early, through every async-generator wrapper between a consumer and the model: the plugin kit's
 * streams (`streamText`, `streamChatCompletion`, `streamBatch`), the manager's `streamGeneration` and the server's SSE.
 * An early `break` (the iterator's `return()`), an `AbortSignal` mid-stream and a consumer that throws all stop the
 * generation within a decode step and free its session: no session stays open and the backend holds as many live
 * tensors as before the stream. On the committed fixture models and the real backends.
 */
const MODELS = { qwen: join(REPO_ROOT, 'models', 'qwen3vl-tiny-random'), glm: join(REPO_ROOT, 'models', 'glm47flash-tiny-random') };
/** More tokens than any stream here is let to run: each is ended by the test. */
const ENDLESS = 100_000;

/** Decoder sessions a model opened and has not disposed, and the decode steps it ran. */
interface SessionLog {
  created: number;
  open: number;
  steps: number;
}

/** Counts `model`'s open sessions and decode steps (wraps `createSession` on the instance). */
function watchSessions(model: CausalLM<unknown>): SessionLog {
  const log: SessionLog = { created: 0, open: 0, steps: 0 };
  const create = model.createSession.bind(model);
  model.createSession = (prompt, extras) => {
    const session = create(prompt, extras);
    log.created += 1;
    log.open += 1;
    let disposed = false;
    return new Proxy(session, {
      get(target, key, receiver) {
        if (key === 'step') return (tokens: readonly number[]) => ((log.steps += 1), target.step(tokens));
        if (key === 'dispose')
          return () => {
            if (!disposed) log.open -= 1;
            disposed = true;
            target.dispose();
          };
        const value = Reflect.get(target, key, receiver) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    }) as DecoderSession;
  };
  return log;
}

const chat = (content: string, extra: object = {}) => ({ messages: [{ role: 'user' as const, content }], maxNewTokens: ENDLESS, temperature: 0, ...extra });
const hasText = (delta: ChatCompletionDelta) => Boolean(delta.content || delta.reasoning);

/** How a consumer ends a stream early: leaves the loop, aborts the stream's signal, or throws from the loop body. */
type Ending = 'break' | 'abort' | 'throw';

/**
 * Opens a stream with `open` and reads it until its third delta with text; there it calls `mark()` and ends the stream as
 * `ending` says (`abort`: the signal given to `open` is aborted and the stream read to its end; `throw`: the loop body
 * throws `consumer failed`, caught here). Resolves with the last delta read and the error caught.
 */
async function endAtThirdText(
  ending: Ending,
  mark: () => void,
  open: (signal: AbortSignal) => AsyncIterable<ChatCompletionDelta>,
): Promise<{ last?: ChatCompletionDelta; error?: unknown }> {
  const controller = new AbortController();
  let n = 0;
  let last: ChatCompletionDelta | undefined;
  try {
    for await (const delta of open(controller.signal)) {
      last = delta;
      if (!hasText(delta) || ++n !== 3) continue;
      mark();
      if (ending === 'break') break;
      if (ending === 'throw') throw new Error('consumer failed');
      controller.abort();
    }
  } catch (error) {
    return { ...(last ? { last } : {}), error };
  }
  return last ? { last } : {};
}

describe.each(FIXTURE_BACKEND_NAMES)('streams ended early on %s', (backendName) => {
  let served: FixtureModelServer;
  let backend: Backend;
  let manager: PluginManager;
  let host: ModelHost;
  let url: string;
  const sessions: Record<string, SessionLog> = {};

  beforeAll(async () => {
    served = await startFixtureModelServer(backendName, { models: MODELS, limits: { maxConcurrentExecutions: 1, maxBatchSize: 4 }, contextLength: 512 });
    ({ backend, manager, host, url } = served);
    for (const id of Object.keys(MODELS)) sessions[id] = watchSessions((host.getModel(id)!.plugin as TextModelPlugin<CausalLM<unknown>>).model!);
  });

  afterAll(() => served?.close());

  const pluginOf = (id: string) => host.getModel(id)!.plugin;

  /**
   * Runs `end` (which opens a stream on `id` and ends it early at some moment it marks with `mark()`), then checks the
   * generation stopped within a step of the mark, its session was freed, and no tensor was left behind.
   */
  async function endsCleanly<Result>(id: string, end: (mark: () => void) => Promise<Result>): Promise<Result> {
    const log = sessions[id]!;
    await until(() => log.open === 0, 'earlier sessions closed');
    const tensors = backend.memory().tensors;
    const created = log.created;
    const stepsBefore = log.steps;
    let stepsAtMark: number | undefined;
    const result = await end(() => (stepsAtMark = log.steps));
    expect(stepsAtMark, 'the stream reached the point where it is ended').toBeDefined();
    expect(log.created, 'the stream ran on a watched session').toBeGreaterThan(created);
    expect(stepsAtMark! - stepsBefore, 'decode steps before the stream was ended').toBeGreaterThan(0);
    await until(() => log.open === 0, 'the session was freed');
    expect(log.steps - stepsAtMark!, 'decode steps after the stream was ended').toBeLessThanOrEqual(2);
    expect(backend.memory().tensors, 'live tensors after the stream ended').toBe(tensors);
    return result;
  }

  describe.each(Object.keys(MODELS))('%s', (id) => {
    it('plugin kit streamText: an early break', async () => {
      await endsCleanly(id, async (mark) => {
        let n = 0;
        for await (const delta of pluginOf(id).streamText('Tell me a story.', { maxNewTokens: ENDLESS, temperature: 0 })) {
          if (delta.tokens.length > 0 && ++n === 3) {
            mark();
            break;
          }
        }
      });
    });

    it('plugin kit streamChatCompletion: an AbortSignal mid-stream ends it with finish reason abort', async () => {
      const ended = await endsCleanly(id, (mark) =>
        endAtThirdText('abort', mark, (signal) => pluginOf(id).streamChatCompletion(chat('Tell me a story.', { signal }))),
      );
      expect(ended.last?.finishReason).toBe('abort');
    });

    it('plugin kit streamChatCompletion: a consumer that throws', async () => {
      const ended = await endsCleanly(id, (mark) => endAtThirdText('throw', mark, () => pluginOf(id).streamChatCompletion(chat('Tell me a story.'))));
      expect((ended.error as Error).message).toBe('consumer failed');
    });

    it('plugin kit streamBatch: one row breaks early, the other runs to its own end', async () => {
      const other = await endsCleanly(id, async (mark) => {
        const plugin = pluginOf(id);
        const [leaving, staying] = plugin.streamBatch!([
          { kind: 'chat', request: chat('Tell me a story.') },
          { kind: 'chat', request: chat('Count to five.', { maxNewTokens: 12 }) },
        ]);
        const stay = (async () => {
          let last: ChatCompletionDelta | undefined;
          for await (const delta of staying!) last = delta;
          return last;
        })();
        let n = 0;
        for await (const delta of leaving!) {
          if (hasText(delta) && ++n === 3) break;
        }
        const last = await stay;
        mark(); // the batch's steps end with the staying row's 12th token
        return last;
      });
      expect(other).toMatchObject({ finishReason: 'length', usage: { completionTokens: 12 } });
    });

    it('manager streamGeneration: an early break, an AbortSignal and a consumer that throws; the slot is free afterwards', async () => {
      const story = { kind: 'chat', request: chat('Tell me a story.') } as const;
      await endsCleanly(id, (mark) => endAtThirdText('break', mark, () => manager.streamGeneration(id, story)));
      const aborted = await endsCleanly(id, (mark) => endAtThirdText('abort', mark, (signal) => manager.streamGeneration(id, story, { signal })));
      expect(aborted.last?.finishReason).toBe('abort');
      const text = { kind: 'text', prompt: 'Tell me a story.', options: { maxNewTokens: ENDLESS } } as const;
      const thrown = await endsCleanly(id, (mark) => endAtThirdText('throw', mark, () => manager.streamGeneration(id, text)));
      expect((thrown.error as Error).message).toBe('consumer failed');
      const short = (await manager.executePlugin(id, 'Hi', { maxNewTokens: 2, temperature: 0 })) as { tokens: number[] };
      expect(short.tokens.length).toBeGreaterThan(0);
    });

    it('server: a client that leaves an SSE stream', async () => {
      await endsCleanly(id, async (mark) => {
        const controller = new AbortController();
        const response = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: id, messages: [{ role: 'user', content: 'Tell me a story.' }], max_tokens: ENDLESS, stream: true }),
          signal: controller.signal,
        });
        expect(response.status).toBe(200);
        let events = 0;
        try {
          for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
            events += new TextDecoder().decode(chunk).split('\n\n').length - 1;
            if (events >= 5) {
              mark();
              controller.abort();
            }
          }
        } catch (error) {
          if (!controller.signal.aborted) throw error;
        }
      });
    });
  });
});
