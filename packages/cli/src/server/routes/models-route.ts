import type { RouteContext } from '../route-context.js';

/** `GET /v1/models`: the served models in OpenAI's list shape. */
export async function modelsRoute(context: RouteContext): Promise<void> {
  context.sendJson(200, {
    object: 'list',
    data: context.host.listModels().map((model) => ({
      id: model.id,
      object: 'model',
      created: model.created,
      owned_by: `pio:${model.pluginName}`,
    })),
  });
}

/** `GET /v1/models/{id}`: one served model. */
export async function modelRoute(context: RouteContext): Promise<void> {
  const model = context.requireModel(context.params.id ?? '', 'id');
  context.sendJson(200, { id: model.id, object: 'model', created: model.created, owned_by: `pio:${model.pluginName}` });
}
