import type { ToolDefinition } from '../../plugin/chat.js';
import type { GrammarBuilder } from './grammar-builder.js';
import type { GrammarNode } from './grammar.js';

/**
 * A model plugin's tool-call format for forced tool calls (`toolChoice: 'required'` or a named tool): the grammar of
 * the whole assistant output when it must be exactly one call to one of `tools`, with the arguments following each
 * tool's `parameters` schema. `prompt` is the rendered prompt (e.g. to close a thinking block it opened).
 */
export type ToolCallGrammar = (context: { prompt: string; tools: readonly ToolDefinition[]; grammar: GrammarBuilder }) => GrammarNode;

/** The parameters schema of a tool: `{ type: 'object' }` (any arguments) when it declares none. */
export function toolParameters(tool: ToolDefinition): Record<string, unknown> {
  return tool.function.parameters ?? { type: 'object' };
}
