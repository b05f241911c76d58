import { z } from 'zod';
import { chatMessageSchema, toolDefinitionSchema } from './chat-message-schema.js';
import { samplingFields } from './sampling-fields.js';

/** Template variables the server itself sets from the request; `chat_template_kwargs` may not replace them. */
const RESERVED_TEMPLATE_VARIABLES = new Set(['messages', 'tools', 'add_generation_prompt', 'bos_token', 'eos_token', 'raise_exception', 'strftime_now']);

/** Body of `POST /v1/chat/completions`. Unknown fields are ignored. */
export const chatCompletionRequestSchema = z.object({
  model: z.string().min(1),
  messages: z.array(chatMessageSchema).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  tools: z.array(toolDefinitionSchema).nullish(),
  tool_choice: z.union([z.enum(['none', 'auto', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) })]).nullish(),
  response_format: z
    .discriminatedUnion(
      'type',
      [
        z.object({ type: z.literal('text') }),
        z.object({ type: z.literal('json_object') }),
        z.object({
          type: z.literal('json_schema'),
          json_schema: z.object({
            name: z.string().optional(),
            description: z.string().optional(),
            schema: z.union([z.record(z.string(), z.unknown()), z.boolean()]).optional(),
            strict: z.boolean().nullish(),
          }),
        }),
      ],
      { error: "response_format must be {type: 'text'}, {type: 'json_object'} or {type: 'json_schema', json_schema: {name, schema, strict}}" },
    )
    .nullish(),
  /** Extension: turn a model's thinking mode on or off. */
  enable_thinking: z.boolean().nullish(),
  /** Extension (vLLM's name): extra chat template variables. */
  chat_template_kwargs: z
    .record(z.string(), z.unknown())
    .refine((kwargs) => !Object.keys(kwargs).some((key) => RESERVED_TEMPLATE_VARIABLES.has(key)), {
      message: `must not set the template's own inputs (${[...RESERVED_TEMPLATE_VARIABLES].join(', ')}); send them as request fields`,
    })
    .nullish(),
  ...samplingFields,
});

/** A validated chat completion request. */
export type ChatCompletionRequestBody = z.output<typeof chatCompletionRequestSchema>;
