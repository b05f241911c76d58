import { HttpRequestError } from '../../errors/http-request-error.js';
import type { RouteHandler } from '../route-context.js';
import { chatCompletionsRoute } from './chat-completions-route.js';
import { completionsRoute } from './completions-route.js';
import { healthRoute } from './health-route.js';
import { readyRoute } from './ready-route.js';
import { chatPageRoute } from './chat-page-route.js';
import { modelRoute, modelsRoute } from './models-route.js';
import { deleteModelRoute } from './delete-model-route.js';
import { inferenceRoute } from './inference-route.js';
import { listModelsRoute } from './list-models-route.js';
import { listPluginsRoute } from './list-plugins-route.js';
import { registerModelRoute } from './register-model-route.js';

interface Route {
  method: string;
  pattern: RegExp;
  handler: RouteHandler;
}

/** Model ids may contain `/` (`org/name`), so `{id}` matches greedily up to a fixed suffix. */
const ROUTES: readonly Route[] = [
  { method: 'GET', pattern: /^\/$/, handler: chatPageRoute },
  { method: 'GET', pattern: /^\/chat\/(?<file>[\w.-]+)$/, handler: chatPageRoute },
  { method: 'GET', pattern: /^\/health$/, handler: healthRoute },
  { method: 'GET', pattern: /^\/ready$/, handler: readyRoute },
  { method: 'GET', pattern: /^\/v1\/models$/, handler: modelsRoute },
  { method: 'GET', pattern: /^\/v1\/models\/(?<id>.+)$/, handler: modelRoute },
  { method: 'POST', pattern: /^\/v1\/chat\/completions$/, handler: chatCompletionsRoute },
  { method: 'POST', pattern: /^\/v1\/completions$/, handler: completionsRoute },
  { method: 'GET', pattern: /^\/plugins$/, handler: listPluginsRoute },
  { method: 'GET', pattern: /^\/models$/, handler: listModelsRoute },
  { method: 'POST', pattern: /^\/models\/register$/, handler: registerModelRoute },
  { method: 'POST', pattern: /^\/models\/(?<id>.+)\/inference$/, handler: inferenceRoute },
  { method: 'DELETE', pattern: /^\/models\/(?<id>.+)$/, handler: deleteModelRoute },
];

/** Finds the handler for a request; 404 for an unknown path, 405 for a known path with another method. */
export function matchRoute(method: string, path: string): { handler: RouteHandler; params: Record<string, string> } {
  let pathKnown = false;
  for (const route of ROUTES) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    pathKnown = true;
    if (route.method !== method) continue;
    const params: Record<string, string> = {};
    for (const [key, value] of Object.entries(match.groups ?? {})) {
      try {
        params[key] = decodeURIComponent(value);
      } catch {
        throw new HttpRequestError(`The path segment '${value.slice(0, 80)}' has a malformed %XX escape. Percent-encode the ${key} with encodeURIComponent.`, {
          status: 400,
          type: 'invalid_request_error',
          param: key,
          errorCode: 'invalid_path',
        });
      }
    }
    return { handler: route.handler, params };
  }
  if (pathKnown) {
    throw new HttpRequestError(`${method} is not allowed on ${path}.`, { status: 405, type: 'invalid_request_error', errorCode: 'method_not_allowed' });
  }
  throw new HttpRequestError(`There is no endpoint ${method} ${path}. See the PIO CLI README for the endpoints.`, {
    status: 404,
    type: 'invalid_request_error',
    errorCode: 'not_found',
  });
}
