import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { HostedModel } from '../host/model-host.js';
import { HttpRequestError } from '../errors/http-request-error.js';
import { ModelNotRegisteredError } from '../errors/model-not-registered-error.js';
import type { RouteContext } from './route-context.js';
import { healthRoute } from './routes/health-route.js';
import type { ServerOptions } from './server-options.js';
import { readJsonBody } from './read-json-body.js';
import { RequestQueue } from './request-queue.js';
import { enqueueGeneration } from './enqueue-generation.js';
import { toHttpError } from './to-http-error.js';
import { matchRoute } from './routes/route-table.js';

/** A running or stopped PIO HTTP server (see {@link createServer}). */
export interface PioServer {
  /** Starts listening; `hostname` defaults to 127.0.0.1 and `port` to 8080 (0 picks a free port). */
  listen(port?: number, hostname?: string): Promise<{ url: string; port: number; hostname: string }>;
  /** Answers new requests with 503 while it waits for in-flight ones (cancelling them after the drain timeout), then stops listening. */
  close(): Promise<void>;
  /** Requests being handled now. */
  readonly inFlight: number;
  /** The underlying Node server. */
  readonly httpServer: Server;
}

/**
 * Creates an OpenAI-compatible HTTP server over a {@link ServerOptions.host}: `/v1/models`,
 * `/v1/chat/completions`, `/v1/completions`, the model registry (`/plugins`, `/models/...`) and `/health`.
 * It listens only where {@link PioServer.listen} is told.
 *
 * Each model has a first-in, first-out queue. Generations that wait in it together run as one batch (up to
 * `maxBatchSize`, when the plugin has `streamBatch`); a running batch takes no new requests.
 */
export function createServer(options: ServerOptions): PioServer {
  const maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const maxBatchSize = Math.max(1, Math.floor(options.maxBatchSize ?? 8));
  const queues = new Map<string, RequestQueue>();
  const controllers = new Set<AbortController>();
  const retiring = new Set<string>();
  let draining = false;
  let idle: (() => void) | undefined;

  const queueFor = (model: HostedModel): RequestQueue => {
    let queue = queues.get(model.id);
    if (!queue) {
      queue = new RequestQueue({ maxConcurrent: options.maxConcurrentPerModel ?? 1, maxQueued: options.maxQueuedPerModel ?? 64 });
      queues.set(model.id, queue);
    }
    return queue;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = performance.now();
    const url = new URL(request.url ?? '/', 'http://localhost');
    const controller = new AbortController();
    controllers.add(controller);
    response.on('close', () => {
      if (!response.writableFinished) controller.abort(new Error('The client disconnected.'));
    });
    let failure: unknown;
    try {
      if (draining) {
        throw new HttpRequestError('The server is shutting down. Retry on another instance or later.', { status: 503, type: 'server_error', errorCode: 'shutting_down', retryAfterSeconds: 5 });
      }
      const route = matchRoute(request.method ?? 'GET', url.pathname);
      if (route.handler !== healthRoute) checkAuth(request, options.apiKey);
      const context = makeContext(request, response, route.params, controller.signal);
      await route.handler(context);
    } catch (error) {
      failure = error;
      const httpError = toHttpError(error);
      if (!response.headersSent && !response.destroyed) {
        const headers: Record<string, string> = {};
        if (httpError.retryAfterSeconds !== undefined) headers['Retry-After'] = String(httpError.retryAfterSeconds);
        if (httpError.status === 401) headers['WWW-Authenticate'] = 'Bearer';
        sendJson(response, httpError.status, httpError.toBody(), headers);
      } else if (!response.writableEnded) response.end();
    } finally {
      controllers.delete(controller);
      const status = response.statusCode;
      options.onRequest?.({
        method: request.method ?? 'GET',
        path: url.pathname,
        status,
        durationMs: performance.now() - started,
        ...(status >= 500 && failure !== undefined ? { error: failure } : {}),
      });
      if (controllers.size === 0) idle?.();
    }
  };

  const makeContext = (request: IncomingMessage, response: ServerResponse, params: Record<string, string>, signal: AbortSignal): RouteContext => ({
    request,
    response,
    params,
    host: options.host,
    signal,
    imagePolicy: {
      fileRoots: options.fileRoots ?? [],
      allowRemote: options.allowRemoteImages ?? true,
      maxBytes: options.maxImageBytes ?? 20 * 1024 * 1024,
      signal,
    },
    readBody: () => readJsonBody(request, maxBodyBytes),
    requireModel: (id, param = 'model') => {
      const model = retiring.has(id) ? undefined : options.host.getModel(id);
      if (!model) {
        throw new HttpRequestError(new ModelNotRegisteredError(id).message, { status: 404, type: 'invalid_request_error', param, errorCode: 'model_not_found' });
      }
      return model;
    },
    enqueue: (model, task) => queueFor(model).run(task, signal),
    generate: (model, request, streamed, consume) => enqueueGeneration(queueFor(model), model.plugin, maxBatchSize, { request, streamed, signal, consume }),
    retireModel: async (model) => {
      retiring.add(model.id);
      try {
        await queueFor(model).idle();
        await options.host.unregisterModel(model.id);
      } finally {
        queues.delete(model.id);
        retiring.delete(model.id);
      }
    },
    sendJson: (status, body) => sendJson(response, status, body),
  });

  const httpServer = createHttpServer((request, response) => {
    void handle(request, response);
  });

  return {
    get inFlight() {
      return controllers.size;
    },
    httpServer,
    listen(port = 8080, hostname = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, hostname, () => {
          httpServer.off('error', reject);
          const address = httpServer.address() as AddressInfo;
          const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve({ url: `http://${host}:${address.port}`, port: address.port, hostname: address.address });
        });
      });
    },
    async close() {
      draining = true;
      if (controllers.size > 0) {
        const drained = new Promise<void>((resolve) => (idle = resolve));
        const timer = setTimeout(() => {
          for (const controller of controllers) controller.abort(new Error('The server is shutting down.'));
        }, options.drainTimeoutMs ?? 30_000);
        await drained;
        clearTimeout(timer);
      }
      if (!httpServer.listening) return;
      const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeAllConnections();
      await stopped;
    },
  };
}

function checkAuth(request: IncomingMessage, apiKey: string | undefined): void {
  if (!apiKey) return;
  const header = request.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7).trim() : '');
  const expected = Buffer.from(apiKey);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new HttpRequestError('Missing or wrong API key. Send it as `Authorization: Bearer <key>`.', {
      status: 401,
      type: 'invalid_request_error',
      errorCode: 'invalid_api_key',
    });
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  response.end(text);
}
