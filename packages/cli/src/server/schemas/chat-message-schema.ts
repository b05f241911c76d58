import { z } from 'zod';

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const imageUrlPart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1), detail: z.string().optional() }),
});
const contentPart = z.discriminatedUnion('type', [textPart, imageUrlPart], {
  error: "content parts must be {type: 'text', text} or {type: 'image_url', image_url: {url}}",
});

const toolCall = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({
    name: z.string(),
    /** A JSON text (OpenAI's wire format); the chat template receives it parsed. */
    arguments: z.string().refine(isJsonText, { message: 'must be a JSON text, e.g. "{\"city\": \"Paris\"}"' }),
  }),
});

/** One OpenAI chat message (`developer` is accepted and treated as `system`). */
export const chatMessageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
  name: z.string().optional(),
  tool_calls: z.array(toolCall).optional(),
  tool_call_id: z.string().optional(),
  reasoning_content: z.string().optional(),
});

/** A validated chat message as sent by a client. */
export type ChatMessageBody = z.output<typeof chatMessageSchema>;

/** An OpenAI function tool. */
export const toolDefinitionSchema = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().min(1),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** True for an empty string (no arguments) or a string `JSON.parse` accepts. */
function isJsonText(text: string): boolean {
  if (text.trim() === '') return true;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
