import type { TextModelPluginInterface } from '../plugin/text-model-plugin-interface.js';

/** How one promise or stream method of a plugin ended (see {@link callTextPluginMethods}). */
export interface PluginMethodOutcome {
  /** The method, e.g. `generateText` or `streamBatch[1]` (a row of the batch). */
  method: string;
  /** What it threw synchronously (calling it, or asking a stream for its iterator): always a defect for these methods. */
  threw?: unknown;
  /** What its promise (or its stream's first `next()`) rejected with. */
  rejected?: unknown;
  /** True when its promise (or first `next()`) resolved. */
  resolved: boolean;
}

/**
 * Calls every promise and stream method of a text plugin (`loadModel` of a missing folder, `infer`, `generate`,
 * `generateText`, `chatCompletion`, `streamText`, `streamGenerate`, `streamChatCompletion`, each row of `streamBatch`)
 * with small, well-formed inputs, reads the first element of each stream, and reports how each ended. Meant for
 * plugins without a loaded model (or not initialized): every method must then reject, none may throw synchronously.
 * Test helper; any test framework.
 */
export async function callTextPluginMethods(plugin: TextModelPluginInterface, missingFolder: string): Promise<PluginMethodOutcome[]> {
  const calls: Array<[string, () => Promise<unknown> | AsyncIterable<unknown>]> = [
    ['loadModel', () => plugin.loadModel({ modelPath: missingFolder })],
    ['infer', () => plugin.infer({ inputIds: [[1]] })],
    ['generate', () => plugin.generate({ inputIds: [[1]], maxNewTokens: 1 })],
    ['generateText', () => plugin.generateText('hi', { maxNewTokens: 1 })],
    ['chatCompletion', () => plugin.chatCompletion({ messages: [{ role: 'user', content: 'hi' }], maxNewTokens: 1 })],
    ['streamText', () => plugin.streamText('hi', { maxNewTokens: 1 })],
    ['streamGenerate', () => plugin.streamGenerate({ inputIds: [[1]], maxNewTokens: 1 })],
    ['streamChatCompletion', () => plugin.streamChatCompletion({ messages: [{ role: 'user', content: 'hi' }], maxNewTokens: 1 })],
  ];
  const outcomes: PluginMethodOutcome[] = [];
  const settle = async (method: string, pending: Promise<unknown>): Promise<void> => {
    try {
      await pending;
      outcomes.push({ method, resolved: true });
    } catch (error) {
      outcomes.push({ method, rejected: error, resolved: false });
    }
  };
  const firstOf = (method: string, stream: AsyncIterable<unknown>): Promise<void> => {
    let iterator: AsyncIterator<unknown>;
    try {
      iterator = stream[Symbol.asyncIterator]();
    } catch (error) {
      outcomes.push({ method, threw: error, resolved: false });
      return Promise.resolve();
    }
    return settle(
      method,
      (async () => {
        try {
          return await iterator.next();
        } finally {
          await iterator.return?.();
        }
      })(),
    );
  };
  for (const [method, call] of calls) {
    let result: Promise<unknown> | AsyncIterable<unknown>;
    try {
      result = call();
    } catch (error) {
      outcomes.push({ method, threw: error, resolved: false });
      continue;
    }
    if (result instanceof Promise) await settle(method, result);
    else await firstOf(method, result);
  }
  if (plugin.streamBatch) {
    let rows: AsyncIterable<unknown>[];
    try {
      rows = plugin.streamBatch([
        { kind: 'text', prompt: 'hi', options: { maxNewTokens: 1 } },
        { kind: 'chat', request: { messages: [{ role: 'user', content: 'hi' }], maxNewTokens: 1 } },
      ]);
    } catch (error) {
      outcomes.push({ method: 'streamBatch', threw: error, resolved: false });
      return outcomes;
    }
    for (const [i, row] of rows.entries()) await firstOf(`streamBatch[${i}]`, row);
  }
  return outcomes;
}
