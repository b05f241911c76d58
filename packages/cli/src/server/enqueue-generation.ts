import type { BatchGenerationRequest, ChatCompletionDelta, TextModelPluginInterface } from '@pio/core';
import type { RequestQueue } from './request-queue.js';
import { singleRequestStream } from './single-request-stream.js';

/** What {@link enqueueGeneration} needs to know about one request. */
export interface GenerationTicket<T> {
  /** The request for the plugin (its `signal` is replaced by one that also fires when `consume` is done). */
  request: BatchGenerationRequest;
  /** The client reads the answer as a stream (SSE); matters only for plugins without `streamBatch`. */
  streamed: boolean;
  /** Aborts when the client disconnects: the request leaves the queue, or its row of the batch ends. */
  signal: AbortSignal;
  /** Sends the answer from the request's deltas. */
  consume: (deltas: AsyncIterable<ChatCompletionDelta>) => Promise<T>;
}

/**
 * Queues one generation in a model's {@link RequestQueue} and runs it in a batch: when a slot frees, up to
 * `maxBatchSize` generations waiting for the same plugin (first in, first out) go to `plugin.streamBatch` together,
 * and each request's `consume` reads its own stream. The slot is held until every request of the batch is done.
 * Plugins without `streamBatch`, and `maxBatchSize` 1, run every request alone through the plugin's single-request
 * methods. Resolves with what `consume` returns; a failure fails only its own request.
 */
export function enqueueGeneration<T>(queue: RequestQueue, plugin: TextModelPluginInterface, maxBatchSize: number, ticket: GenerationTicket<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const member: Member = { ticket: ticket as GenerationTicket<unknown>, resolve: resolve as (value: unknown) => void, reject };
    const batching = plugin.streamBatch !== undefined && maxBatchSize > 1;
    queue
      .runBatched(member, { key: plugin, maxSize: batching ? maxBatchSize : 1, run: (members) => runBatch(plugin, batching, members) }, ticket.signal)
      .catch(reject);
  });
}

interface Member {
  ticket: GenerationTicket<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

async function runBatch(plugin: TextModelPluginInterface, batching: boolean, members: readonly Member[]): Promise<void> {
  const done = members.map(() => new AbortController());
  const requests = members.map((member, i) => withSignal(member.ticket.request, AbortSignal.any([member.ticket.signal, done[i].signal])));
  let streams: AsyncIterable<ChatCompletionDelta>[];
  try {
    streams = batching ? plugin.streamBatch!(requests) : requests.map((request, i) => singleRequestStream(plugin, request, members[i].ticket.streamed));
  } catch (error) {
    members.forEach((member) => member.reject(error));
    return;
  }
  await Promise.all(
    members.map(async (member, i) => {
      try {
        member.resolve(await member.ticket.consume(streams[i]));
      } catch (error) {
        member.reject(error);
      } finally {
        done[i].abort(new Error('The request is done.')); // ends the row if `consume` stopped before the end
      }
    }),
  );
}

function withSignal(entry: BatchGenerationRequest, signal: AbortSignal): BatchGenerationRequest {
  return entry.kind === 'chat' ? { kind: 'chat', request: { ...entry.request, signal } } : { kind: 'text', prompt: entry.prompt, options: { ...entry.options, signal } };
}
