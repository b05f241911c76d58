import type { ToolCall } from '@pio/core';
import type { AssistantOutputParser } from '@pio/core/generation';
import { randomUUID } from 'node:crypto';

const OPEN = '<tool_call>';
const CLOSE = '</tool_call>';

/**
 * Parses Qwen's chat output: `<tool_call>{"name": …, "arguments": …}</tool_call>` blocks become OpenAI-style tool
 * calls (`arguments` as a JSON string), the rest is answer text. Text that may begin a `<tool_call>` tag is held back
 * while streaming; a block whose JSON does not parse stays answer text.
 */
export function createQwenOutputParser(): AssistantOutputParser {
  let pending = '';
  let content = '';
  const toolCalls: ToolCall[] = [];
  const flushable = (final: boolean): string => {
    let out = '';
    for (;;) {
      const open = pending.indexOf(OPEN);
      if (open < 0) {
        const keep = final ? 0 : partialTagLength(pending);
        out += pending.slice(0, pending.length - keep);
        pending = pending.slice(pending.length - keep);
        return out;
      }
      const close = pending.indexOf(CLOSE, open);
      if (close < 0) {
        out += pending.slice(0, open);
        pending = pending.slice(open);
        if (!final) return out;
        out += pending;
        pending = '';
        return out;
      }
      out += pending.slice(0, open);
      const body = pending.slice(open + OPEN.length, close);
      const call = parseCall(body);
      if (call) toolCalls.push(call);
      else out += pending.slice(open, close + CLOSE.length);
      pending = pending.slice(close + CLOSE.length);
    }
  };
  return {
    push(text) {
      pending += text;
      const out = flushable(false);
      content += out;
      return out ? { content: out } : {};
    },
    end() {
      const out = flushable(true);
      content += out;
      const answer = toolCalls.length > 0 ? content.trim() : content;
      return {
        delta: out ? { content: out } : {},
        output: { content: answer === '' && toolCalls.length > 0 ? null : answer, ...(toolCalls.length > 0 ? { toolCalls } : {}) },
      };
    },
  };
}

/** Length of the longest end of `text` that begins `<tool_call>`. */
function partialTagLength(text: string): number {
  for (let n = Math.min(OPEN.length - 1, text.length); n > 0; n--) if (OPEN.startsWith(text.slice(text.length - n))) return n;
  return 0;
}

function parseCall(body: string): ToolCall | undefined {
  try {
    const parsed = JSON.parse(body) as { name?: unknown; arguments?: unknown };
    if (typeof parsed.name !== 'string') return undefined;
    const args = typeof parsed.arguments === 'string' ? parsed.arguments : JSON.stringify(parsed.arguments ?? {});
    return { id: `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`, type: 'function', function: { name: parsed.name, arguments: args } };
  } catch {
    return undefined;
  }
}
