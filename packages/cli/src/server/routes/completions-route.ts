import { randomUUID } from 'node:crypto';
import type { GenerateTextOptions, Usage } from '@pio/core';
import type { RouteContext } from '../route-context.js';
import { parseRequest } from '../parse-request.js';
import { completionRequestSchema } from '../schemas/completion-request-schema.js';
import { toCompletionLogprobs, toGenerationOptions, toOpenAIFinishReason, toOpenAIUsage } from '../openai-wire-format.js';
import { SseStream } from '../sse-stream.js';

/** OpenAI's default `max_tokens` for the legacy completions API. */
const DEFAULT_COMPLETION_TOKENS = 16;

/** `POST /v1/completions`: legacy text completion (no chat template), one choice per prompt. */
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
  await context.enqueue(model, async () => {
    if (!body.stream) {
      const choices = [];
      for (const [index, prompt] of prompts.entries()) {
        const result = await model.plugin.generateText(prompt, options);
        addUsage(result.usage);
        choices.push({
          index,
          text: result.text,
          logprobs: body.logprobs != null && result.logprobs ? toCompletionLogprobs(result.logprobs) : null,
          finish_reason: toOpenAIFinishReason(result.finishReason),
        });
      }
      context.sendJson(200, { ...base, choices, usage: toOpenAIUsage(usage) });
      return;
    }
    const stream = new SseStream(context.response);
    try {
      for (const [index, prompt] of prompts.entries()) {
        let offset = 0;
        let tokens = 0;
        for await (const delta of model.plugin.streamText(prompt, options)) {
          tokens += delta.tokens.length;
          const logprobs = body.logprobs != null && delta.logprobs ? toCompletionLogprobs(delta.logprobs, offset) : null;
          offset += delta.text.length;
          if (delta.text || logprobs) stream.send({ ...base, choices: [{ index, text: delta.text, logprobs, finish_reason: null }] });
        }
        // streamText carries no finish reason: a stream that produced `max_tokens` tokens ended on the length limit.
        const limit = options.maxNewTokens ?? Infinity;
        stream.send({ ...base, choices: [{ index, text: '', logprobs: null, finish_reason: tokens >= limit ? 'length' : 'stop' }] });
        const promptTokens = model.plugin.tokenize(prompt).length;
        addUsage({ promptTokens, completionTokens: tokens, totalTokens: promptTokens + tokens });
      }
      if (body.stream_options?.include_usage) stream.send({ ...base, choices: [], usage: toOpenAIUsage(usage) });
    } catch (error) {
      if (!context.signal.aborted) stream.send({ error: { message: (error as Error).message, type: 'server_error', param: null, code: null } });
    }
    stream.done();
  });
}
