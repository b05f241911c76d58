import type { RouteContext } from '../route-context.js';

/** `DELETE /models/{id}`: stops serving a model, lets the requests already queued for it finish, and frees it. */
export async function deleteModelRoute(context: RouteContext): Promise<void> {
  const model = context.requireModel(context.params.id ?? '', 'id');
  await context.retireModel(model);
  context.sendJson(200, { id: model.id, object: 'model', deleted: true });
}
