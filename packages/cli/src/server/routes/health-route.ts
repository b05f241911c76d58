import type { RouteContext } from '../route-context.js';

/** `GET /health`: liveness and the served model ids (no auth needed). */
export async function healthRoute(context: RouteContext): Promise<void> {
  context.sendJson(200, { status: 'ok', models: context.host.listModels().map((model) => model.id) });
}
