import type { RouteContext } from '../route-context.js';

/**
 * `GET /ready`: 200 `{ status: 'ready', models }` once the models given at startup are loaded, 503
 * `{ status: 'loading', models }` (with `Retry-After`) before (no auth needed; for load balancers and scripts).
 */
export async function readyRoute(context: RouteContext): Promise<void> {
  const models = context.host.listModels().map((model) => model.id);
  if (context.ready) {
    context.sendJson(200, { status: 'ready', models });
    return;
  }
  context.response.setHeader('Retry-After', '1');
  context.sendJson(503, { status: 'loading', models });
}
