/**
 * Chat messages in the OpenAI wire format (the field names, such as `image_url` and `tool_calls`, are OpenAI's
 * and the chat templates', so messages pass between clients, templates and PIO unchanged).
 */

/** A text part of a message. */
export interface TextContentPart {
  type: 'text';
  text: string;
}

/** An image given by path, `file:`/`http(s):`/`data:` URL, or bytes. */
export interface ImageContentPart {
  type: 'image';
  image: string | Uint8Array;
}

/** An image in OpenAI's shape. */
export interface ImageUrlContentPart {
  type: 'image_url';
  image_url: { url: string; detail?: string };
}

/** Any part of a message's content. */
export type ContentPart = TextContentPart | ImageContentPart | ImageUrlContentPart;

/** A tool call made by the assistant (arguments are a JSON string, as OpenAI sends them). */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A tool the model may call (OpenAI's function tool shape). */
export interface ToolDefinition {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

/** One message of a conversation. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | ContentPart[] | null;
  /** The assistant's reasoning ("thinking"), kept apart from its answer. */
  reasoning_content?: string;
  /** Tool calls made by the assistant. */
  tool_calls?: ToolCall[];
  /** For `tool` messages: the call this result answers. */
  tool_call_id?: string;
  /** Optional author name. */
  name?: string;
}
