import type { ToolDefinition } from '@pio/core';
import { type GrammarBuilder, type GrammarNode, type ToolCallGrammar, toolParameters } from '@pio/core/generation';
import { GLM_THINK_OPEN } from './parse-glm-output.js';

/**
 * GLM-4.7's tool-call format for forced tool calls: `<tool_call>name<arg_key>k</arg_key><arg_value>v</arg_value>…
 * </tool_call>`, one argument per property in `properties` order (optional ones may be left out). String-typed
 * arguments are plain text (as GLM writes them; `parseGlmToolCall` keeps them as strings), others JSON. When the prompt
 * opened a thinking block, the output first closes it (no reasoning before a forced call).
 */
export const glmToolCallGrammar: ToolCallGrammar = ({ prompt, tools, grammar }) => {
  const calls = tools.map((tool) =>
    grammar.sequence(grammar.text(`<tool_call>${tool.function.name}`), argumentsOf(tool, grammar), grammar.text('</tool_call>')),
  );
  const call = grammar.choice(...calls);
  return prompt.trimEnd().endsWith(GLM_THINK_OPEN) ? grammar.sequence(grammar.text('</think>'), call) : call;
};

function argumentsOf(tool: ToolDefinition, grammar: GrammarBuilder): GrammarNode {
  const schema = toolParameters(tool);
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((schema.required ?? []) as string[]);
  const parts = Object.entries(properties).map(([key, property]) => {
    const value = property.type === 'string' ? grammar.rawString(property) : grammar.json(property);
    const argument = grammar.sequence(grammar.text(`<arg_key>${key}</arg_key><arg_value>`), value, grammar.text('</arg_value>'));
    return required.has(key) ? argument : grammar.choice(argument, grammar.empty());
  });
  return grammar.sequence(...parts);
}
