import { collectChatCompletion } from '@pio/core/generation';
import { randomUUID } from 'node:crypto';
import type { ChatCompletionRequest } from '@pio/core';
import type { HostedModel } from '../../host/model-host.js';
import type { RouteContext } from '../route-context.js';
import { parseRequest } from '../parse-request.js';
import { chatCompletionRequestSchema, type ChatCompletionRequestBody } from '../schemas/chat-completion-request-schema.js';
import { toPluginMessages } from '../to-plugin-messages.js';
import { toChatLogprobs, toGenerationOptions, toOpenAIFinishReason, toOpenAIUsage } from '../openai-wire-format.js';
import { SseStream } from '../sse-stream.js';
import { toHttpError } from '../to-http-error.js';
import { structuredOutputOptions } from '../structured-output-options.js';

/** `POST /v1/chat/completions`: OpenAI chat completions, streamed over SSE or not, batched with the model's other waiting requests. */
export async function chatCompletionsRoute(context: RouteContext): Promise<void> {
  const body = parseRequest(chatCompletionRequestSchema, await context.readBody());
  const structured = structuredOutputOptions(body);
  const model = context.requireModel(body.model);
  const request = { ...(await toChatRequest(body, context, model)), ...structured };
  const id = `chatcmpl-${randomUUID()}`;
  const created = Math.floor(Date.now() / 1000);
  await context.generate(model, { kind: 'chat', request }, body.stream === true, async (deltas) => {
    if (!body.stream) {
      const result = await collectChatCompletion(deltas);
      const message: Record<string, unknown> = { role: 'assistant', content: result.message.content, refusal: null };
      if (result.message.tool_calls?.length) message.tool_calls = result.message.tool_calls;
      if (result.message.reasoning_content) message.reasoning_content = result.message.reasoning_content;
      context.sendJson(200, {
        id,
        object: 'chat.completion',
        created,
        model: model.id,
        system_fingerprint: null,
        choices: [
          {
            index: 0,
            message,
            logprobs: body.logprobs && result.logprobs ? toChatLogprobs(result.logprobs) : null,
            finish_reason: toOpenAIFinishReason(result.finishReason),
          },
        ],
        usage: toOpenAIUsage(result.usage),
      });
      return;
    }
    const stream = new SseStream(context.response);
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): unknown => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model: model.id,
      system_fingerprint: null,
      choices,
      ...extra,
    });
    await stream.send(chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]));
    let toolIndex = 0;
    try {
      for await (const delta of deltas) {
        const out: Record<string, unknown> = {};
        if (delta.content) out.content = delta.content;
        if (delta.reasoning) out.reasoning_content = delta.reasoning;
        if (delta.toolCalls?.length) out.tool_calls = delta.toolCalls.map((call) => ({ index: toolIndex++, ...call }));
        const logprobs = body.logprobs && delta.logprobs?.length ? toChatLogprobs(delta.logprobs) : null;
        const finish = delta.finishReason ? toOpenAIFinishReason(delta.finishReason) : null;
        if (Object.keys(out).length > 0 || logprobs || finish) {
          await stream.send(chunk([{ index: 0, delta: out, logprobs, finish_reason: finish }]));
        }
        if (delta.usage && body.stream_options?.include_usage) await stream.send(chunk([], { usage: toOpenAIUsage(delta.usage) }));
      }
    } catch (error) {
      if (!context.signal.aborted) await stream.send(toHttpError(error).toBody());
    }
    stream.done();
  });
}

async function toChatRequest(body: ChatCompletionRequestBody, context: RouteContext, model: HostedModel): Promise<ChatCompletionRequest> {
  const request: ChatCompletionRequest = {
    messages: await toPluginMessages(body.messages, context.imagePolicy, model),
    ...toGenerationOptions(body, body.max_completion_tokens, context.signal),
  };
  if (body.tools?.length && body.tool_choice !== 'none') request.tools = body.tools;
  if (body.logprobs) {
    request.logprobs = true;
    request.topLogprobs = body.top_logprobs ?? 0;
  }
  if (body.enable_thinking != null) request.enableThinking = body.enable_thinking;
  if (body.chat_template_kwargs) request.templateOptions = body.chat_template_kwargs;
  return request;
}
