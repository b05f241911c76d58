import { type ToolCallGrammar, toolParameters } from '@pio/core/generation';

/**
 * Qwen's tool-call format (its chat template's): `<tool_call>\n{"name": …, "arguments": {…}}\n</tool_call>`, the
 * arguments following the tool's parameters schema (written as compact JSON).
 */
export const qwenToolCallGrammar: ToolCallGrammar = ({ tools, grammar }) =>
  grammar.choice(
    ...tools.map((tool) =>
      grammar.sequence(
        grammar.text('<tool_call>\n'),
        grammar.json({
          type: 'object',
          properties: { name: { const: tool.function.name }, arguments: toolParameters(tool) },
          required: ['name', 'arguments'],
          additionalProperties: false,
        }),
        grammar.text('\n</tool_call>'),
      ),
    ),
  );
