import { collectChatCompletion } from '@pio/core/generation';
import { randomUUID } from 'node:crypto';
import type { ChatCompletionDelta, GenerateTextOptions, Usage } from '@pio/core';
import type { RouteContext } from '../route-context.js';
import { parseRequest } from '../parse-request.js';
import { completionRequestSchema } from '../schemas/completion-request-schema.js';
import { toCompletionLogprobs, toGenerationOptions, toOpenAIFinishReason, toOpenAIUsage } from '../openai-wire-format.js';
import { SseStream } from '../sse-stream.js';
import { toHttpError } from '../to-http-error.js';

/** OpenAI's default `max_tokens` for the legacy completions API. */
const DEFAULT_COMPLETION_TOKENS = 16;

/** `POST /v1/completions`: legacy text completion (no chat template), one choice per prompt; each prompt is a request in the model's queue and may share a batch. */
export async function completionsRoute(context: RouteContext): Promise<void> {
  const body = parseRequest(completionRequestSchema, await context.readBody());
  const model = context.requireModel(body.model);
  const prompts = typeof body.prompt === 'string' ? [body.prompt] : body.prompt;
  const options: GenerateTextOptions = {
    ...toGenerationOptions(body, body.max_tokens ?? DEFAULT_COMPLETION_TOKENS, context.signal),
    chat: false,
  };
  if (body.logprobs != null) {
    options.logprobs = true;
    options.topLogprobs = body.logprobs;
  }
  const id = `cmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  const base = { id, object: 'text_completion', created, model: model.id, system_fingerprint: null };
  const usage: Usage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  const addUsage = (more: Usage): void => {
    usage.promptTokens += more.promptTokens;
    usage.completionTokens += more.completionTokens;
    usage.totalTokens += more.totalTokens;
  };
  const generate = <T>(prompt: string, consume: (deltas: AsyncIterable<ChatCompletionDelta>) => Promise<T>): Promise<T> =>
    context.generate(model, { kind: 'text', prompt, options }, body.stream === true, consume);
  if (!body.stream) {
    const results = await Promise.all(prompts.map((prompt) => generate(prompt, collectChatCompletion)));
    const choices = results.map((result, index) => {
      addUsage(result.usage);
      return {
        index,
        text: result.message.content ?? '',
        logprobs: body.logprobs != null && result.logprobs ? toCompletionLogprobs(result.logprobs) : null,
        finish_reason: toOpenAIFinishReason(result.finishReason),
      };
    });
    context.sendJson(200, { ...base, choices, usage: toOpenAIUsage(usage) });
    return;
  }
  // Each prompt is its own request in the queue (it may share a batch with the others); choices interleave by index.
  let stream: SseStream | undefined;
  const open = (): SseStream => (stream ??= new SseStream(context.response));
  await Promise.all(
    prompts.map((prompt, index) =>
      generate(prompt, async (deltas) => {
        const sse = open();
        let offset = 0;
        try {
          for await (const delta of deltas) {
            const text = delta.content ?? '';
            const logprobs = body.logprobs != null && delta.logprobs?.length ? toCompletionLogprobs(delta.logprobs, offset) : null;
            offset += text.length;
            if (text || logprobs) await sse.send({ ...base, choices: [{ index, text, logprobs, finish_reason: null }] });
            if (delta.finishReason)
              await sse.send({ ...base, choices: [{ index, text: '', logprobs: null, finish_reason: toOpenAIFinishReason(delta.finishReason) }] });
            if (delta.usage) addUsage(delta.usage);
          }
        } catch (error) {
          if (!context.signal.aborted) await sse.send(toHttpError(error).toBody());
        }
      }),
    ),
  );
  const sse = open();
  if (body.stream_options?.include_usage) await sse.send({ ...base, choices: [], usage: toOpenAIUsage(usage) });
  sse.done();
}
