import { HttpRequestError } from '../../errors/http-request-error.js';
import type { RouteContext } from '../route-context.js';
import { parseRequest } from '../parse-request.js';
import { registerModelRequestSchema } from '../schemas/registry-request-schemas.js';
import { describeHostedModel } from './describe-hosted-model.js';

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
  if (body.path.split(/[\\/]/).includes('..')) {
    // the folder is resolved before the path guard sees it, so a '..' would pass unnoticed: refuse it here, as documented
    throw new HttpRequestError(`The path '${body.path}' contains a '..' segment, which is never allowed. Send the folder's own path.`, {
      status: 400,
      type: 'invalid_request_error',
      param: 'path',
      errorCode: 'path_not_allowed',
    });
  }
  const model = await context.host.registerModel({
    modelId: body.model_id,
    source: body.path,
    signal: context.signal,
    ...(body.plugin_id === undefined ? {} : { pluginId: body.plugin_id }),
  });
  context.sendJson(201, describeHostedModel(model));
}
