import type { ToolCall } from '@pio/core';
import { GLM_THINK_CLOSE, GLM_THINK_OPEN, GLM_TOOL_CALL_CLOSE, GLM_TOOL_CALL_OPEN, type ParseGlmOutputOptions } from './parse-glm-output.js';
import { parseGlmToolCall } from './parse-glm-tool-call.js';

/** A piece of parsed output: reasoning text, answer text, or complete tool calls. */
export interface GlmOutputDelta {
  reasoning?: string;
  content?: string;
  toolCalls?: ToolCall[];
}

type Mode = 'reasoning' | 'content' | 'toolCall';

/** Length of the longest suffix of `text` that is a proper prefix of `marker` (text that may become the marker). */
function partialMarkerLength(text: string, marker: string): number {
  for (let n = Math.min(marker.length - 1, text.length); n > 0; n--) if (marker.startsWith(text.slice(text.length - n))) return n;
  return 0;
}

/**
 * The streaming form of `parseGlmOutput`: feed generated text as it arrives, get reasoning and answer deltas as soon as
 * they cannot be part of a marker, and each tool call once its `</tool_call>` arrives. Concatenated deltas equal the
 * non-streaming result (leading whitespace of reasoning and answer dropped).
 */
export class GlmOutputStreamParser {
  private mode: Mode;
  private buffer = '';
  private started = { reasoning: false, content: false };
  private sawAnything = false;

  constructor(private readonly options: ParseGlmOutputOptions = {}) {
    this.mode = options.startsInReasoning ? 'reasoning' : 'content';
  }

  /** Adds generated text; returns the deltas it completes. */
  push(text: string): GlmOutputDelta[] {
    this.buffer += text;
    const out: GlmOutputDelta[] = [];
    for (;;) {
      if (!this.sawAnything && this.mode === 'content') {
        const head = this.buffer.trimStart();
        if (head.startsWith(GLM_THINK_OPEN)) {
          this.buffer = head.slice(GLM_THINK_OPEN.length);
          this.mode = 'reasoning';
        } else if (head.length < GLM_THINK_OPEN.length && GLM_THINK_OPEN.startsWith(head)) {
          return out; // may still become <think>
        }
      }
      const marker = this.mode === 'reasoning' ? GLM_THINK_CLOSE : this.mode === 'content' ? GLM_TOOL_CALL_OPEN : GLM_TOOL_CALL_CLOSE;
      const at = this.buffer.indexOf(marker);
      if (at < 0) {
        if (this.mode !== 'toolCall') {
          const keep = partialMarkerLength(this.buffer, marker);
          this.emit(out, this.buffer.slice(0, this.buffer.length - keep));
          this.buffer = this.buffer.slice(this.buffer.length - keep);
        }
        return out;
      }
      const before = this.buffer.slice(0, at);
      this.buffer = this.buffer.slice(at + marker.length);
      if (this.mode === 'toolCall') {
        if (before.trim()) out.push({ toolCalls: [parseGlmToolCall(before, this.options)] });
        this.mode = 'content';
      } else {
        this.emit(out, before);
        this.mode = this.mode === 'reasoning' ? 'content' : 'toolCall';
        this.sawAnything = true;
      }
    }
  }

  /** Ends the stream: flushes held-back text and parses a tool call left unclosed. */
  finish(): GlmOutputDelta[] {
    const out: GlmOutputDelta[] = [];
    if (this.mode === 'toolCall') {
      if (this.buffer.trim()) out.push({ toolCalls: [parseGlmToolCall(this.buffer, this.options)] });
    } else {
      this.emit(out, this.buffer);
    }
    this.buffer = '';
    return out;
  }

  private emit(out: GlmOutputDelta[], text: string): void {
    if (this.mode === 'toolCall') return;
    const kind = this.mode;
    const piece = this.started[kind] ? text : text.trimStart();
    if (!piece) return;
    this.started[kind] = true;
    this.sawAnything = true;
    const last = out[out.length - 1];
    if (last && last[kind] !== undefined && !last.toolCalls) last[kind] += piece;
    else out.push({ [kind]: piece });
  }
}
