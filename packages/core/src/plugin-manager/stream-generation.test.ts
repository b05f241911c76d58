import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import { ExecutionAbortedError } from '../errors/execution-aborted-error.js';
import { ExecutionTimeoutError } from '../errors/execution-timeout-error.js';
import { ResourceLimitError } from '../errors/resource-limit-error.js';
import type { FinishReason } from '../plugin/generation-options.js';
import type { BatchGenerationRequest, ChatCompletionDelta, GenerateTextOptions } from '../plugin/text-model-plugin-interface.js';
import { createFakeBackend } from './__fixtures__/fake-backend.js';
import { fakeHardware } from './__fixtures__/fake-hardware.js';
import { writeEchoModel } from './__fixtures__/fake-plugin-package.js';
import { createFakeTextPlugin, createGate } from './__fixtures__/fake-text-plugin.js';
import { createPluginManager } from './create-plugin-manager.js';
import type { ExecutionLimitsInput } from './execution-limits.js';

/**
 * The manager's scheduling of generations (unit level, a fake plugin whose rows step on a timer); the same promises
 * are tested on the fixture models and real backends in @pio/cli's fixture-models-serving test.
 */
const project = makeTempDir('pio-stream-');
let model: string;

beforeAll(async () => {
  model = await writeEchoModel(join(project, 'm'), { model_type: 'fake', architectures: ['FakeForCausalLM'] });
});

const promptOf = (request: BatchGenerationRequest): string =>
  request.kind === 'text' ? String(request.prompt) : String(request.request.messages.at(-1)?.content);
const optionsOf = (request: BatchGenerationRequest): GenerateTextOptions => (request.kind === 'text' ? (request.options ?? {}) : request.request);

/** A fake text plugin with `streamBatch`: each row yields `maxNewTokens` (default 3) words, one per 5 ms, until its signal fires. */
async function setup(limits: ExecutionLimitsInput = {}) {
  const fake = createFakeTextPlugin();
  const batches: string[][] = [];
  const gate = createGate();
  let held = false;
  const plugin = Object.assign(fake.plugin, {
    hold: () => (held = true),
    release: () => gate.open(),
    streamBatch(requests: readonly BatchGenerationRequest[]): AsyncIterable<ChatCompletionDelta>[] {
      batches.push(requests.map(promptOf));
      return requests.map((request) =>
        (async function* () {
          const options = optionsOf(request);
          if (held && promptOf(request) === 'hold') await gate.promise;
          const limit = options.maxNewTokens ?? 3;
          let tokens = 0;
          for (; tokens < limit && !options.signal?.aborted; tokens++) {
            await new Promise((resolve) => setTimeout(resolve, 5));
            yield { content: `${promptOf(request)}${tokens} ` };
          }
          const finishReason: FinishReason = options.signal?.aborted ? 'abort' : 'length';
          yield { finishReason, usage: { promptTokens: 1, completionTokens: tokens, totalTokens: tokens + 1 } };
        })(),
      );
    },
  });
  const manager = createPluginManager({ backend: createFakeBackend(), hardware: fakeHardware(2 ** 34), allowedRoots: [model], cwd: model, limits });
  await manager.registerPlugin(plugin);
  await manager.activatePlugin('fake', { modelPath: model });
  const text = (prompt: string, options: GenerateTextOptions = {}): BatchGenerationRequest => ({ kind: 'text', prompt, options });
  return { manager, plugin, batches, text };
}

/** Reads `stream` to its end, calling `onDelta` for each delta; resolves with its text, finish reason and error. */
async function collect(
  stream: AsyncIterable<ChatCompletionDelta>,
  onDelta: (delta: ChatCompletionDelta) => void = () => {},
): Promise<{ text: string; finish?: string; error?: unknown }> {
  let text = '';
  let finish: string | undefined;
  try {
    for await (const delta of stream) {
      onDelta(delta);
      text += delta.content ?? '';
      finish = delta.finishReason ?? finish;
    }
    return { text, ...(finish ? { finish } : {}) };
  } catch (error) {
    return { text, ...(finish ? { finish } : {}), error };
  }
}

describe('PluginManager.streamGeneration', () => {
  it('runs the generations that wait together as one batch, each stream its own row', async () => {
    const { manager, plugin, batches, text } = await setup({ maxBatchSize: 2 });
    plugin.hold();
    const first = collect(manager.streamGeneration('fake', text('hold')));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const waiting = ['a', 'b', 'c'].map((p) => collect(manager.streamGeneration('fake', text(p))));
    await new Promise((resolve) => setTimeout(resolve, 10));
    plugin.release();
    expect((await first).text).toBe('hold0 hold1 hold2 ');
    expect((await Promise.all(waiting)).map((r) => r.text)).toEqual(['a0 a1 a2 ', 'b0 b1 b2 ', 'c0 c1 c2 ']);
    expect(batches).toEqual([['hold'], ['a', 'b'], ['c']]);
  });

  it('applies limits.maxNewTokens (refused above, default below) and ends a row on its time limit with ExecutionTimeoutError', async () => {
    const { manager, text } = await setup({ maxNewTokens: 4, timeoutMs: 5000 });
    const refused = await collect(manager.streamGeneration('fake', text('x', { maxNewTokens: 5 })));
    expect(ResourceLimitError.isInstance(refused.error)).toBe(true);
    expect((await collect(manager.streamGeneration('fake', text('d')))).text).toBe('d0 d1 d2 d3 ');
    const late = await collect(manager.streamGeneration('fake', text('t'), { timeoutMs: 12 }));
    expect(ExecutionTimeoutError.isInstance(late.error)).toBe(true);
    expect(late.finish).toBe('abort');
  });

  it("lets a waiting generation leave on its signal without running, and ends a running one's row with finish reason abort", async () => {
    const { manager, plugin, batches, text } = await setup({ maxNewTokens: 1000 });
    plugin.hold();
    const first = collect(manager.streamGeneration('fake', text('hold', { maxNewTokens: 1 })));
    const leaving = new AbortController();
    const left = collect(manager.streamGeneration('fake', text('gone'), { signal: leaving.signal }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    leaving.abort();
    expect(ExecutionAbortedError.isInstance((await left).error)).toBe(true);
    plugin.release();
    await first;
    const stopping = new AbortController();
    // aborted once it runs (its first token arrived), not after a fixed time
    const running = collect(manager.streamGeneration('fake', text('r'), { signal: stopping.signal }), () => stopping.abort());
    expect(await running).toMatchObject({ finish: 'abort' });
    expect(batches.flat()).not.toContain('gone');
  });

  it('aborts running generations on deactivatePlugin: the stream ends its row, then throws ExecutionAbortedError', async () => {
    const { manager, text } = await setup({ maxNewTokens: 1000 });
    let firstToken!: () => void;
    const runs = new Promise<void>((resolve) => (firstToken = resolve));
    const running = collect(manager.streamGeneration('fake', text('r')), () => firstToken());
    await runs;
    expect(await manager.deactivatePlugin('fake')).toBe(true);
    const result = await running;
    expect(ExecutionAbortedError.isInstance(result.error)).toBe(true);
    expect(result.finish).toBe('abort');
  });
});
