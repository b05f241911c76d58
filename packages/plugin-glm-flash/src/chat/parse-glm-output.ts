import type { ToolCall, ToolDefinition } from '@pio/core';
import { parseGlmToolCall, type ToolCallIdFactory } from './parse-glm-tool-call.js';

/** Opens GLM-4.7's reasoning block (the chat template ends the prompt with it when thinking is on). */
export const GLM_THINK_OPEN = '<think>';
/** Closes GLM-4.7's reasoning block. */
export const GLM_THINK_CLOSE = '</think>';
/** Opens one GLM-4.7 tool call. */
export const GLM_TOOL_CALL_OPEN = '<tool_call>';
/** Closes one GLM-4.7 tool call. */
export const GLM_TOOL_CALL_CLOSE = '</tool_call>';

/** Options of {@link parseGlmOutput}. */
export interface ParseGlmOutputOptions {
  /** The prompt ended inside a think block (`<|assistant|><think>`, thinking on): text before `</think>` is reasoning, and all of it when `</think>` never came. */
  startsInReasoning?: boolean;
  /** Tool definitions of the request: a parameter declared `string` keeps its raw text. */
  tools?: readonly ToolDefinition[];
  /** Makes tool-call ids. */
  makeId?: ToolCallIdFactory;
}

/** An assistant turn split into its parts. */
export interface GlmAssistantOutput {
  /** The answer text (tool-call markup removed), trimmed; empty when there is none. */
  content: string;
  /** The reasoning inside `<think>...</think>`, trimmed; `undefined` when there was none. */
  reasoning?: string;
  /** Tool calls in OpenAI's shape (arguments as a JSON string). */
  toolCalls: ToolCall[];
}

/**
 * Splits the text GLM-4.7 generated after the chat template's generation prompt into reasoning, answer and tool calls.
 *
 * `abc</think>answer` (thinking on: the prompt ended with `<think>`) gives reasoning `abc` and content `answer`;
 * `<tool_call>get_weather<arg_key>city</arg_key><arg_value>Paris</arg_value></tool_call>` becomes a tool call with
 * arguments `{"city":"Paris"}` (values JSON-parsed when they are JSON, else strings). A tool call left unclosed at
 * the end (generation cut short) is parsed as far as it goes.
 */
export function parseGlmOutput(text: string, options: ParseGlmOutputOptions = {}): GlmAssistantOutput {
  let rest = text;
  let reasoning: string | undefined;
  const trimmedStart = rest.trimStart();
  const opened = trimmedStart.startsWith(GLM_THINK_OPEN);
  if (opened) rest = trimmedStart.slice(GLM_THINK_OPEN.length);
  const close = rest.indexOf(GLM_THINK_CLOSE);
  if (close >= 0) {
    reasoning = rest.slice(0, close).trim();
    rest = rest.slice(close + GLM_THINK_CLOSE.length);
  } else if (opened || options.startsInReasoning) {
    return { content: '', reasoning: rest.trim(), toolCalls: [] };
  }
  const toolCalls: ToolCall[] = [];
  let content = '';
  for (;;) {
    const open = rest.indexOf(GLM_TOOL_CALL_OPEN);
    if (open < 0) {
      content += rest;
      break;
    }
    content += rest.slice(0, open);
    const bodyStart = open + GLM_TOOL_CALL_OPEN.length;
    const end = rest.indexOf(GLM_TOOL_CALL_CLOSE, bodyStart);
    const body = end < 0 ? rest.slice(bodyStart) : rest.slice(bodyStart, end);
    if (body.trim()) toolCalls.push(parseGlmToolCall(body, options));
    if (end < 0) break;
    rest = rest.slice(end + GLM_TOOL_CALL_CLOSE.length);
  }
  return { content: content.trim(), ...(reasoning !== undefined && reasoning !== '' ? { reasoning } : {}), toolCalls };
}
