import type { ChatMessage, ToolDefinition } from '../plugin/chat.js';

/** What {@link ChatTemplate.render} takes. Extra fields become template variables (e.g. `enable_thinking: false`). */
export interface ChatTemplateRenderInput {
  /** The conversation, in OpenAI's shape. */
  messages: readonly ChatMessage[];
  /** Tools the model may call. */
  tools?: readonly ToolDefinition[];
  /** End with the header of an assistant turn, so the model answers next. Default false, as in transformers. */
  addGenerationPrompt?: boolean;
  /** Further template variables, passed unchanged (Hugging Face names, e.g. `enable_thinking`). */
  [variable: string]: unknown;
}

/**
 * A model's chat template: renders a conversation to the exact prompt text transformers' `apply_chat_template` gives.
 * Create one with `createChatTemplate` or `loadChatTemplate`.
 */
export interface ChatTemplate {
  /** The Jinja source of the default template. */
  readonly source: string;
  /** Names of the templates available (`default`, and e.g. `tool_use`, when the model ships several). */
  readonly names: readonly string[];
  /**
   * Renders the conversation.
   *
   * @throws ChatTemplateError `raised` when the template calls `raise_exception`, `render` on other failures,
   *   `invalid-message` when a message cannot be converted
   */
  render(input: ChatTemplateRenderInput): string;
}
