import type { ToolCall, ToolDefinition } from '@pio/core';

const ARG = /<arg_key>([\s\S]*?)<\/arg_key>\s*<arg_value>([\s\S]*?)<\/arg_value>/g;

/** Makes tool-call ids (`call_` + 24 random characters by default). */
export type ToolCallIdFactory = () => string;

/** A random OpenAI-style tool-call id. */
export function randomToolCallId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let id = 'call_';
  for (let i = 0; i < 24; i++) id += alphabet[Math.floor(Math.random() * alphabet.length)];
  return id;
}

/** The JSON-schema type of parameter `key` of tool `name`, when the tool list declares it. */
function declaredType(tools: readonly ToolDefinition[] | undefined, name: string, key: string): unknown {
  const tool = tools?.find((t) => t.function.name === name);
  const properties = tool?.function.parameters?.properties as Record<string, { type?: unknown }> | undefined;
  return properties?.[key]?.type;
}

/** An argument value: kept as a string when the tool declares a string, else JSON-parsed when it is JSON, else the string. */
function argumentValue(raw: string, type: unknown): unknown {
  if (type === 'string') return raw;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * Parses the inside of one GLM tool call, `name<arg_key>k</arg_key><arg_value>v</arg_value>...` (the text between
 * `<tool_call>` and `</tool_call>`), into an OpenAI-style call with `arguments` as a JSON string.
 */
export function parseGlmToolCall(body: string, options: { tools?: readonly ToolDefinition[]; makeId?: ToolCallIdFactory } = {}): ToolCall {
  const firstArg = body.indexOf('<arg_key>');
  const name = (firstArg < 0 ? body : body.slice(0, firstArg)).trim();
  const args: Record<string, unknown> = {};
  for (const match of body.matchAll(ARG)) {
    const key = match[1].trim();
    args[key] = argumentValue(match[2], declaredType(options.tools, name, key));
  }
  return { id: (options.makeId ?? randomToolCallId)(), type: 'function', function: { name, arguments: JSON.stringify(args) } };
}
