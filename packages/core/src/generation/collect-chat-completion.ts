import type { ChatCompletionDelta, ChatCompletionResult } from '../plugin/text-model-plugin-interface.js';

/** Gathers a stream of chat deltas into one result, as `chatCompletion` returns it (content null when only tools were called). */
export async function collectChatCompletion(deltas: AsyncIterable<ChatCompletionDelta>): Promise<ChatCompletionResult> {
  let content = '';
  let reasoning = '';
  let toolCalls: ChatCompletionResult['message']['tool_calls'];
  const result: Omit<ChatCompletionResult, 'message'> = { finishReason: 'length', usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 } };
  for await (const delta of deltas) {
    content += delta.content ?? '';
    reasoning += delta.reasoning ?? '';
    if (delta.toolCalls?.length) toolCalls = [...(toolCalls ?? []), ...delta.toolCalls];
    if (delta.logprobs) (result.logprobs ??= []).push(...delta.logprobs);
    if (delta.finishReason) result.finishReason = delta.finishReason;
    if (delta.usage) result.usage = delta.usage;
  }
  return {
    ...result,
    message: {
      role: 'assistant',
      content: toolCalls && !content ? null : content,
      ...(reasoning ? { reasoning_content: reasoning } : {}),
      ...(toolCalls ? { tool_calls: toolCalls } : {}),
    },
  };
}
