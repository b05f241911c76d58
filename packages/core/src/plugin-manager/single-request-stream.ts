import type { BatchGenerationRequest, ChatCompletionDelta, TextModelPluginInterface } from '../plugin/text-model-plugin-interface.js';

/**
 * One request as a stream of chat deltas, for plugins without `streamBatch`: chats go through `streamChatCompletion`
 * (or `chatCompletion` when the answer is not streamed), prompts through `streamText` (or `generateText`). `streamText`
 * reports no finish reason or usage, so a streamed prompt ends with `length` when it produced `maxNewTokens` tokens,
 * else `stop`, and its prompt tokens are counted with `tokenize`.
 */
export async function* singleRequestStream(
  plugin: TextModelPluginInterface,
  entry: BatchGenerationRequest,
  streamed: boolean,
): AsyncGenerator<ChatCompletionDelta> {
  if (entry.kind === 'chat') {
    if (streamed) return yield* plugin.streamChatCompletion(entry.request);
    const result = await plugin.chatCompletion(entry.request);
    const { content, reasoning_content: reasoning, tool_calls: toolCalls } = result.message;
    yield {
      ...(content ? { content } : {}),
      ...(reasoning ? { reasoning } : {}),
      ...(toolCalls?.length ? { toolCalls } : {}),
      ...(result.logprobs ? { logprobs: result.logprobs } : {}),
      finishReason: result.finishReason,
      usage: result.usage,
    };
    return;
  }
  const options = entry.options ?? {};
  if (!streamed) {
    const result = await plugin.generateText(entry.prompt, options);
    yield {
      ...(result.text ? { content: result.text } : {}),
      ...(result.logprobs ? { logprobs: result.logprobs } : {}),
      finishReason: result.finishReason,
      usage: result.usage,
    };
    return;
  }
  let tokens = 0;
  for await (const delta of plugin.streamText(entry.prompt, options)) {
    tokens += delta.tokens.length;
    if (delta.text || delta.logprobs?.length) yield { ...(delta.text ? { content: delta.text } : {}), ...(delta.logprobs ? { logprobs: delta.logprobs } : {}) };
  }
  const text = typeof entry.prompt === 'string' ? entry.prompt : entry.prompt.map((part) => (part.type === 'text' ? part.text : '')).join('');
  const promptTokens = plugin.tokenize(text).length;
  yield {
    finishReason: tokens >= (options.maxNewTokens ?? Infinity) ? 'length' : 'stop',
    usage: { promptTokens, completionTokens: tokens, totalTokens: promptTokens + tokens },
  };
}
