import { collectChatCompletion } from '@pio/core/generation';
import type { RouteContext } from '../route-context.js';
import { parseRequest } from '../parse-request.js';
import { inferenceRequestSchema } from '../schemas/registry-request-schemas.js';
import { acceptsImages, toPluginMessages } from '../to-plugin-messages.js';
import { checkImageCount, checkImagesAccepted, resolveImageUrl } from '../resolve-image-url.js';
import { toGenerationOptions, toOpenAIFinishReason, toOpenAIUsage } from '../openai-wire-format.js';

/**
 * `POST /models/{id}/inference`: one generation from a `prompt` (with optional `images`) or `messages`. `messages` requests
 * may share a batch; `prompt` requests run alone (their answer carries the token ids).
 */
export async function inferenceRoute(context: RouteContext): Promise<void> {
  const model = context.requireModel(context.params.id ?? '', 'id');
  const body = parseRequest(inferenceRequestSchema, await context.readBody());
  const options = toGenerationOptions(body, undefined, context.signal);
  if (body.messages) {
    const messages = await toPluginMessages(body.messages, context.imagePolicy, model);
    const result = await context.generate(model, { kind: 'chat', request: { ...options, messages } }, false, collectChatCompletion);
    context.sendJson(200, {
      model: model.id,
      message: result.message,
      text: result.message.content ?? '',
      finish_reason: toOpenAIFinishReason(result.finishReason),
      usage: toOpenAIUsage(result.usage),
    });
    return;
  }
  const images: Uint8Array[] = [];
  const imageParams = (body.images ?? []).map((_, i) => `images.${i}`);
  checkImagesAccepted(imageParams, { id: model.id, acceptsImages: acceptsImages(model) });
  checkImageCount(imageParams, context.imagePolicy);
  for (const [i, url] of (body.images ?? []).entries()) images.push(await resolveImageUrl(url, context.imagePolicy, `images.${i}`));
  const result = await context.generateText(model, body.prompt ?? '', {
    ...options,
    ...(images.length > 0 ? { images } : {}),
    ...(body.system === undefined ? {} : { system: body.system }),
  });
  context.sendJson(200, {
    model: model.id,
    text: result.text,
    tokens: result.tokens,
    finish_reason: toOpenAIFinishReason(result.finishReason),
    usage: toOpenAIUsage(result.usage),
  });
}
