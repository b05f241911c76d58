import type { ChatMessage, ContentPart } from '../plugin/chat.js';

/** An image as a message gives it: a path or URL (`file:`, `http(s):`, `data:`), or the file's bytes. */
export type ImageInput = string | Uint8Array;

/** The images of a content-part list, in order (`image` parts and `image_url` parts). */
export function imagesOfContent(content: string | readonly ContentPart[] | null | undefined): ImageInput[] {
  if (!Array.isArray(content)) return [];
  const images: ImageInput[] = [];
  for (const part of content as readonly ContentPart[]) {
    if (part.type === 'image') images.push(part.image);
    else if (part.type === 'image_url') images.push(part.image_url.url);
  }
  return images;
}

/** The images of a conversation, in the order they appear (the order a vision model's image tokens take them). */
export function collectImages(messages: readonly ChatMessage[]): ImageInput[] {
  return messages.flatMap((message) => imagesOfContent(message.content));
}
