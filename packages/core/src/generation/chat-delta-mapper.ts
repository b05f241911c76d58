import type { ChatCompletionDelta } from '../plugin/text-model-plugin-interface.js';
import type { AssistantOutputParser } from './assistant-output-parser.js';
import type { TextGenerationDelta } from './stream-text.js';

/**
 * Turns one row's text deltas (from `streamText`) into chat deltas through the row's output parser: answer and reasoning
 * text as the parser releases it, log-probabilities per token, and on the row's last delta the held-back text, the
 * tool calls, the finish reason (`tool_calls` when the model called tools and stopped) and usage. Returns `undefined`
 * for deltas that carry nothing to send.
 */
export function createChatDeltaMapper(parser: AssistantOutputParser): (delta: TextGenerationDelta) => ChatCompletionDelta | undefined {
  return (delta) => {
    const parsed = delta.text ? parser.push(delta.text) : {};
    if (delta.finishReason === undefined) {
      if (parsed.content || parsed.reasoning || delta.logprob) return { ...parsed, ...(delta.logprob ? { logprobs: [delta.logprob] } : {}) };
      return undefined;
    }
    const { delta: tail, output } = parser.end();
    const content = (parsed.content ?? '') + (tail.content ?? '');
    const reasoning = (parsed.reasoning ?? '') + (tail.reasoning ?? '');
    const toolCalls = output.toolCalls?.length ? output.toolCalls : undefined;
    return {
      ...(content ? { content } : {}),
      ...(reasoning ? { reasoning } : {}),
      ...(toolCalls ? { toolCalls } : {}),
      finishReason: toolCalls && delta.finishReason === 'stop' ? 'tool_calls' : delta.finishReason,
      usage: delta.usage,
    };
  };
}
