import type { HostedModel } from '../../host/model-host.js';
import { HttpRequestError } from '../../errors/http-request-error.js';
import type { RouteContext } from '../route-context.js';
import { parseRequest } from '../parse-request.js';
import { inferenceRequestSchema, registerModelRequestSchema } from '../schemas/registry-request-schemas.js';
import { toPluginMessages } from '../to-plugin-messages.js';
import { resolveImageUrl } from '../resolve-image-url.js';
import { toGenerationOptions, toOpenAIFinishReason, toOpenAIUsage } from '../openai-wire-format.js';

const describe = (model: HostedModel): Record<string, unknown> => ({
  id: model.id,
  plugin: model.pluginName,
  path: model.source,
  created: model.created,
});

/** `GET /plugins`: the installed plugins. */
export async function listPluginsRoute(context: RouteContext): Promise<void> {
  const plugins = await context.host.listPlugins();
  context.sendJson(200, {
    object: 'list',
    data: plugins.map((plugin) => ({
      id: plugin.name,
      version: plugin.version,
      description: plugin.description,
      architectures: plugin.architectures,
      model_types: plugin.modelTypes,
      modalities: plugin.modalities,
      package: plugin.packageName ?? null,
    })),
  });
}

/** `GET /models`: the registered models. */
export async function listModelsRoute(context: RouteContext): Promise<void> {
  context.sendJson(200, { object: 'list', data: context.host.listModels().map(describe) });
}

/** `POST /models/register`: loads a model folder or Hub id and serves it under `model_id`. */
export async function registerModelRoute(context: RouteContext): Promise<void> {
  const body = parseRequest(registerModelRequestSchema, await context.readBody());
  if (context.host.getModel(body.model_id)) {
    throw new HttpRequestError(`A model with id '${body.model_id}' is already registered. Choose another model_id or DELETE /models/${body.model_id} first.`, {
      status: 409,
      type: 'invalid_request_error',
      param: 'model_id',
      errorCode: 'model_exists',
    });
  }
  const model = await context.host.registerModel({
    modelId: body.model_id,
    source: body.path,
    signal: context.signal,
    ...(body.plugin_id === undefined ? {} : { pluginId: body.plugin_id }),
  });
  context.sendJson(201, describe(model));
}

/** `DELETE /models/{id}`: stops serving a model, lets the requests already queued for it finish, and frees it. */
export async function deleteModelRoute(context: RouteContext): Promise<void> {
  const model = context.requireModel(context.params.id ?? '', 'id');
  await context.retireModel(model);
  context.sendJson(200, { id: model.id, object: 'model', deleted: true });
}

/** `POST /models/{id}/inference`: one generation from a `prompt` (with optional `images`) or `messages`. */
export async function inferenceRoute(context: RouteContext): Promise<void> {
  const model = context.requireModel(context.params.id ?? '', 'id');
  const body = parseRequest(inferenceRequestSchema, await context.readBody());
  const options = toGenerationOptions(body, undefined, context.signal);
  if (body.messages) {
    const messages = await toPluginMessages(body.messages, context.imagePolicy);
    const result = await context.enqueue(model, () => model.plugin.chatCompletion({ ...options, messages }));
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
  for (const [i, url] of (body.images ?? []).entries()) images.push(await resolveImageUrl(url, context.imagePolicy, `images.${i}`));
  const result = await context.enqueue(model, () =>
    model.plugin.generateText(body.prompt ?? '', {
      ...options,
      ...(images.length > 0 ? { images } : {}),
      ...(body.system === undefined ? {} : { system: body.system }),
    }),
  );
  context.sendJson(200, {
    model: model.id,
    text: result.text,
    tokens: result.tokens,
    finish_reason: toOpenAIFinishReason(result.finishReason),
    usage: toOpenAIUsage(result.usage),
  });
}
