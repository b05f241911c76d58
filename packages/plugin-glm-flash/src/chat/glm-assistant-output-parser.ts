import type { ToolCall, ToolDefinition } from '@pio/core';
import type { AssistantOutputParser } from '@pio/core/generation';
import { GLM_THINK_OPEN } from './parse-glm-output.js';
import { GlmOutputStreamParser } from './glm-output-stream-parser.js';

/**
 * The runtime hook (`createOutputParser`) for GLM-4.7: reasoning is what comes before `</think>` when the rendered
 * prompt ends in `<think>` (thinking on), tool calls are GLM's `<tool_call>` markup, the rest is the answer.
 */
export function createGlmAssistantOutputParser(context: { prompt: string; request: { tools?: readonly ToolDefinition[] } }): AssistantOutputParser {
  const parser = new GlmOutputStreamParser({ startsInReasoning: context.prompt.trimEnd().endsWith(GLM_THINK_OPEN), tools: context.request.tools });
  let content = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  const take = (deltas: ReturnType<GlmOutputStreamParser['push']>) => {
    const out: { content?: string; reasoning?: string } = {};
    for (const d of deltas) {
      if (d.content) out.content = (out.content ?? '') + d.content;
      if (d.reasoning) out.reasoning = (out.reasoning ?? '') + d.reasoning;
      if (d.toolCalls) toolCalls.push(...d.toolCalls);
    }
    content += out.content ?? '';
    reasoning += out.reasoning ?? '';
    return out;
  };
  return {
    push: (text) => take(parser.push(text)),
    end() {
      const delta = take(parser.finish());
      const answer = content.trim();
      return {
        delta,
        output: {
          content: answer === '' && toolCalls.length > 0 ? null : answer,
          ...(reasoning.trim() ? { reasoning: reasoning.trim() } : {}),
          ...(toolCalls.length > 0 ? { toolCalls } : {}),
        },
      };
    },
  };
}
