import { singleRequestStream, type BatchGenerationRequest, type ChatCompletionDelta, type ChatCompletionRequest } from '@pio/core';
import { EchoTextPlugin } from '../../testing/echo-text-plugin.js';

/**
 * The echo plugin with `streamBatch`, for server batching tests: it records every batch it is given (the last user
 * text, or the prompt, of each request) and answers each request as the echo plugin answers it alone. A chat whose
 * text is `block` waits for {@link BatchingEchoPlugin.hold}'s release before it answers, holding the model's slot.
 */
export class BatchingEchoPlugin extends EchoTextPlugin {
  /** The batches received, in order: each request's text. */
  readonly batches: string[][] = [];
  private gate: Promise<void> = Promise.resolve();

  /** Makes `block` chats wait; returns the function that lets them go. */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise((resolve) => (release = resolve));
    return release;
  }

  override async *streamChatCompletion(request: ChatCompletionRequest): AsyncIterable<ChatCompletionDelta> {
    if (request.messages.at(-1)?.content === 'block') await this.gate;
    yield* super.streamChatCompletion(request);
  }

  streamBatch(requests: readonly BatchGenerationRequest[]): AsyncIterable<ChatCompletionDelta>[] {
    this.batches.push(requests.map(textOf));
    return requests.map((request) => singleRequestStream(this, request, true));
  }
}

function textOf(entry: BatchGenerationRequest): string {
  if (entry.kind === 'text') return typeof entry.prompt === 'string' ? entry.prompt : '';
  const content = entry.request.messages.at(-1)?.content;
  return typeof content === 'string' ? content : '';
}
