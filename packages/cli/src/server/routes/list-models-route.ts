import type { RouteContext } from '../route-context.js';
import { describeHostedModel } from './describe-hosted-model.js';

/** `GET /models`: the registered models. */
export async function listModelsRoute(context: RouteContext): Promise<void> {
  context.sendJson(200, { object: 'list', data: context.host.listModels().map(describeHostedModel) });
}
