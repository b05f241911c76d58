import type { ToolCall } from '../plugin/chat.js';

/** What an {@link AssistantOutputParser} makes of newly generated text. */
export interface AssistantOutputDelta {
  /** New answer text. */
  content?: string;
  /** New reasoning text. */
  reasoning?: string;
}

/** The assistant's whole output, split. */
export interface AssistantOutput {
  /** The answer (null when the model only called tools). */
  content: string | null;
  /** The reasoning ("thinking"), when the model produced any. */
  reasoning?: string;
  /** Tool calls, when the model made any. */
  toolCalls?: ToolCall[];
}

/**
 * Splits a model's raw chat output into answer, reasoning and tool calls, incrementally: {@link push} takes text as
 * it streams and returns what can already be shown; {@link end} flushes what was held back and returns the whole
 * parsed output. Model plugins provide one for their output format (e.g. `<think>` blocks, `<tool_call>` markup).
 */
export interface AssistantOutputParser {
  /** Feeds new text; returns the answer and reasoning text that is certain now. */
  push(text: string): AssistantOutputDelta;
  /** Ends the output: returns the last held-back text (`delta`) and the complete parsed output. */
  end(): { delta: AssistantOutputDelta; output: AssistantOutput };
}

/** The parser for models without reasoning or tool-call markup: all text is answer. */
export function createPlainOutputParser(): AssistantOutputParser {
  let content = '';
  return {
    push(text) {
      content += text;
      return text ? { content: text } : {};
    },
    end() {
      return { delta: {}, output: { content } };
    },
  };
}
