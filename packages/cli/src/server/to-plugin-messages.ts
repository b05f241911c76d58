import type { ChatMessage, ContentPart } from '@pio/core';
import type { ChatMessageBody } from './schemas/chat-message-schema.js';
import type { HostedModel } from '../host/model-host.js';
import { checkImageCount, checkImagesAccepted, resolveImageUrl, type ImageSourcePolicy } from './resolve-image-url.js';

/**
 * Converts validated OpenAI messages into the plugin's {@link ChatMessage}s: `developer` becomes
 * `system`, and every `image_url` is fetched or decoded here, so plugins receive image bytes (a request with more than
 * `policy.maxImages` images, or with images for a `model` that takes text only, is refused before any is read).
 */
export async function toPluginMessages(
  messages: readonly ChatMessageBody[],
  policy: ImageSourcePolicy,
  model?: Pick<HostedModel, 'id' | 'plugin'>,
  paramPrefix = 'messages',
): Promise<ChatMessage[]> {
  const imageParams = messages.flatMap((message, m) =>
    Array.isArray(message.content)
      ? message.content.flatMap((part, p) => (part.type === 'image_url' ? [`${paramPrefix}.${m}.content.${p}.image_url.url`] : []))
      : [],
  );
  if (model) checkImagesAccepted(imageParams, { id: model.id, acceptsImages: acceptsImages(model) });
  checkImageCount(imageParams, policy);
  const result: ChatMessage[] = [];
  for (const [m, message] of messages.entries()) {
    let content: ChatMessage['content'] = message.content ?? null;
    if (Array.isArray(message.content)) {
      const parts: ContentPart[] = [];
      for (const [p, part] of message.content.entries()) {
        if (part.type === 'text') parts.push({ type: 'text', text: part.text });
        else {
          const param = `${paramPrefix}.${m}.content.${p}.image_url.url`;
          parts.push({ type: 'image', image: await resolveImageUrl(part.image_url.url, policy, param) });
        }
      }
      content = parts;
    }
    const converted: ChatMessage = { role: message.role === 'developer' ? 'system' : message.role, content };
    if (message.name !== undefined) converted.name = message.name;
    if (message.tool_calls !== undefined) converted.tool_calls = message.tool_calls;
    if (message.tool_call_id !== undefined) converted.tool_call_id = message.tool_call_id;
    if (message.reasoning_content !== undefined) converted.reasoning_content = message.reasoning_content;
    result.push(converted);
  }
  return result;
}

/** Whether the model's plugin declares image input (`metadata.modalities.input`). */
export function acceptsImages(model: Pick<HostedModel, 'plugin'>): boolean {
  return model.plugin.metadata.modalities.input.includes('image');
}
