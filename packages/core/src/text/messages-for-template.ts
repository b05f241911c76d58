import { ChatTemplateError } from '../errors/chat-template-error.js';
import type { ChatMessage, ContentPart, ToolCall } from '../plugin/chat.js';

/**
 * Converts OpenAI-shaped messages into what Hugging Face chat templates expect:
 * - tool-call `arguments` sent as a JSON string (OpenAI) are parsed into an object (GLM's template iterates them;
 *   Qwen's prints objects with `tojson`, giving the same text as the spaced JSON a model writes);
 * - `content: null` (an assistant turn with only tool calls) becomes `''`, which templates print as nothing;
 * - image parts keep their shape (`{type: 'image', image}` / `{type: 'image_url', image_url}`); image bytes are replaced by a
 *   short placeholder string, since templates only test for the key;
 * - fields left `undefined` are dropped, so `is defined` tests in templates behave.
 *
 * @throws {@link ChatTemplateError} (`invalid-message`) for tool-call arguments that are not valid JSON
 */
export function messagesForTemplate(messages: readonly ChatMessage[]): Record<string, unknown>[] {
  return messages.map((message, index) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(message)) {
      if (value !== undefined) out[key] = value;
    }
    out.content = message.content === null || message.content === undefined ? '' : convertContent(message.content);
    if (message.tool_calls) out.tool_calls = message.tool_calls.map((call) => convertToolCall(call, index));
    return out;
  });
}

function convertContent(content: string | ContentPart[]): unknown {
  if (typeof content === 'string') return content;
  return content.map((part) => {
    if (part.type === 'image' && typeof part.image !== 'string') {
      return { ...part, image: `<${part.image.byteLength} bytes>` };
    }
    return { ...part };
  });
}

function convertToolCall(call: ToolCall, messageIndex: number): Record<string, unknown> {
  const args: unknown = call.function.arguments;
  let parsed: unknown = args;
  if (typeof args === 'string') {
    try {
      parsed = args.trim() === '' ? {} : JSON.parse(args);
    } catch (cause) {
      throw new ChatTemplateError(
        {
          reason: 'invalid-message',
          detail: `messages[${messageIndex}].tool_calls (${call.function.name}): arguments are not valid JSON: ${args.slice(0, 80)}`,
        },
        { cause },
      );
    }
  }
  return { ...call, function: { ...call.function, arguments: parsed } };
}
