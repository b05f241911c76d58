import type { ToolDefinition } from '../plugin/chat.js';
import type { ChatCompletionResult } from '../plugin/text-model-plugin-interface.js';

/**
 * The one tool call of a forced-tool-call answer and the JSON schema of the tool it calls (test helper). Throws an
 * `Error` naming what is wrong when the answer did not finish with `tool_calls`, holds other than exactly one call,
 * or calls a tool that is not in `tools`.
 */
export function singleToolCall(
  result: ChatCompletionResult,
  tools: readonly ToolDefinition[],
): { name: string; arguments: string; parameters: Record<string, unknown> } {
  const calls = result.message.tool_calls ?? [];
  if (result.finishReason !== 'tool_calls') throw new Error(`finish reason ${result.finishReason}, expected tool_calls`);
  if (calls.length !== 1) throw new Error(`${calls.length} tool calls, expected exactly one`);
  const { name, arguments: args } = calls[0].function;
  const tool = tools.find((t) => t.function.name === name);
  if (!tool) throw new Error(`a call of ${name}, which is not among the tools (${tools.map((t) => t.function.name).join(', ')})`);
  return { name, arguments: args, parameters: tool.function.parameters ?? {} };
}
