import type { ToolDefinition } from '../plugin/chat.js';
import type { ChatCompletionRequest, ChatCompletionResult, TextModelPluginInterface } from '../plugin/text-model-plugin-interface.js';

/** The one tool call of an answer (see {@link singleToolCall}). */
export interface SingleToolCall {
  /** The tool called. */
  name: string;
  /** The call's arguments, as the model wrote them (JSON text). */
  arguments: string;
  /** The JSON schema of the tool's parameters (`{}` when the tool declares none). */
  parameters: Record<string, unknown>;
}

/**
 * The one tool call of a forced-tool-call answer and the JSON schema of the tool it calls (test helper). Throws an
 * `Error` naming what is wrong when the answer did not finish with `tool_calls`, holds other than exactly one call,
 * or calls a tool that is not in `tools`.
 */
export function singleToolCall(result: ChatCompletionResult, tools: readonly ToolDefinition[]): SingleToolCall {
  const calls = result.message.tool_calls ?? [];
  if (result.finishReason !== 'tool_calls') throw new Error(`finish reason ${result.finishReason}, expected tool_calls`);
  if (calls.length !== 1) throw new Error(`${calls.length} tool calls, expected exactly one`);
  const { name, arguments: args } = calls[0].function;
  const tool = tools.find((t) => t.function.name === name);
  if (!tool) throw new Error(`a call of ${name}, which is not among the tools (${tools.map((t) => t.function.name).join(', ')})`);
  return { name, arguments: args, parameters: tool.function.parameters ?? {} };
}

/**
 * Asks `plugin` for a chat completion once per variant (`request` with the variant's fields, e.g. a seed) and returns
 * the one tool call of each answer ({@link singleToolCall}, which throws when an answer is not exactly one call of
 * one of `request.tools`): the check of forced tool calls, sampled (test helper).
 */
export async function sampleToolCalls(
  plugin: Pick<TextModelPluginInterface, 'chatCompletion'>,
  request: ChatCompletionRequest & { tools: ToolDefinition[] },
  variants: readonly Partial<ChatCompletionRequest>[],
): Promise<SingleToolCall[]> {
  const calls: SingleToolCall[] = [];
  for (const variant of variants) calls.push(singleToolCall(await plugin.chatCompletion({ ...request, ...variant }), request.tools));
  return calls;
}
