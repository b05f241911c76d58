import { z } from 'zod';
import { chatMessageSchema } from './chat-message-schema.js';
import { samplingFields } from './sampling-fields.js';

/** Model ids: letters, digits and `._:/-`, up to 128 characters. */
export const modelIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'letters, digits and . _ : / - only, starting with a letter or digit');

/** Body of `POST /models/register`. */
export const registerModelRequestSchema = z.object({
  model_id: modelIdSchema,
  plugin_id: z.string().min(1).optional(),
  path: z.string().min(1),
});

/** Body of `POST /models/{id}/inference`: a `prompt` (text completion) or `messages` (chat), with images as URLs. */
export const inferenceRequestSchema = z
  .object({
    prompt: z.string().optional(),
    messages: z.array(chatMessageSchema).min(1).optional(),
    system: z.string().optional(),
    images: z.array(z.string().min(1)).max(16).optional(),
    ...samplingFields,
  })
  .refine((body) => (body.prompt === undefined) !== (body.messages === undefined), {
    message: 'give exactly one of prompt or messages',
    path: ['prompt'],
  });

/** A validated inference request. */
export type InferenceRequestBody = z.output<typeof inferenceRequestSchema>;
