import { UnsupportedSchemaError, type ChatCompletionRequest, type ResponseFormat, type ToolChoice } from '@pio/core';
import { compileJsonSchema } from '@pio/core/generation';
import { HttpRequestError } from '../errors/http-request-error.js';
import type { ChatCompletionRequestBody } from './schemas/chat-completion-request-schema.js';

const badRequest = (message: string, param: string, cause?: unknown) =>
  new HttpRequestError(message, { status: 400, type: 'invalid_request_error', param, errorCode: 'invalid_value' }, cause === undefined ? {} : { cause });

/** Compiles `schema` up front so an unsupported keyword is a 400 naming the request field, before anything runs. */
function checkSchema(schema: unknown, param: string): void {
  try {
    compileJsonSchema(schema);
  } catch (error) {
    if (UnsupportedSchemaError.isInstance(error)) throw badRequest(`${param}: ${error.message}`, param, error);
    throw error;
  }
}

/**
 * The structured-output options of a chat request body: `response_format` (`json_object`, `json_schema`) as
 * `responseFormat`, and `tool_choice` `required` or a named function as `toolChoice` (the call is constrained to the
 * tool's parameters). Schemas are checked here: what constrained decoding cannot enforce is a 400 naming the field.
 *
 * @throws {@link HttpRequestError} (400) for a missing schema, an unsupported keyword, or a tool choice without tools or
 * naming an unknown tool
 */
export function structuredOutputOptions(body: ChatCompletionRequestBody): Pick<ChatCompletionRequest, 'responseFormat' | 'toolChoice'> {
  const out: { responseFormat?: ResponseFormat; toolChoice?: ToolChoice } = {};
  const format = body.response_format;
  if (format?.type === 'json_object') out.responseFormat = { type: 'json_object' };
  if (format?.type === 'json_schema') {
    const { schema, name, strict } = format.json_schema;
    if (schema === undefined) throw badRequest('response_format.json_schema.schema is required for type json_schema.', 'response_format.json_schema.schema');
    checkSchema(schema, 'response_format.json_schema.schema');
    out.responseFormat = { type: 'json_schema', schema, ...(name ? { name } : {}), ...(strict != null ? { strict } : {}) };
  }
  const choice = body.tool_choice;
  if (choice === 'required' || typeof choice === 'object') {
    const tools = body.tools ?? [];
    if (tools.length === 0) throw badRequest('tool_choice requires tools: send the tools the model must choose from.', 'tool_choice');
    const name = typeof choice === 'object' && choice ? choice.function.name : undefined;
    if (name !== undefined && !tools.some((tool) => tool.function.name === name)) {
      throw badRequest(`tool_choice names the function "${name}", which is not in tools (${tools.map((t) => t.function.name).join(', ')}).`, 'tool_choice');
    }
    tools.forEach((tool, i) => {
      if ((name === undefined || tool.function.name === name) && tool.function.parameters)
        checkSchema(tool.function.parameters, `tools[${i}].function.parameters`);
    });
    out.toolChoice = name === undefined ? 'required' : { name };
  }
  return out;
}
