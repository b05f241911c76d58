import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { createNetworkFetch } from '@pio/core';
import { DEFAULT_MAX_IMAGE_BYTES, DEFAULT_MAX_IMAGE_PIXELS } from '@pio/core/image';
import type { HostedModel } from '../host/model-host.js';
import { HttpRequestError } from '../errors/http-request-error.js';
import { ModelNotRegisteredError } from '../errors/model-not-registered-error.js';
import type { RouteContext } from './route-context.js';
import { healthRoute } from './routes/health-route.js';
import { readyRoute } from './routes/ready-route.js';
import { chatPageRoute } from './routes/chat-page-route.js';
import type { ServerOptions } from './server-options.js';
import { readJsonBody } from './read-json-body.js';
import { startedStream } from './started-stream.js';
import { toHttpError } from './to-http-error.js';
import { matchRoute } from './routes/route-table.js';

/** A running or stopped PIO HTTP server (see {@link createServer}). */
export interface PioServer {
  /** Starts listening; `hostname` defaults to 127.0.0.1 and `port` to 8080 (0 picks a free port). */
  listen(port?: number, hostname?: string): Promise<{ url: string; port: number; hostname: string }>;
  /**
   * Shuts down gracefully: from now on every new request is answered 503 with `Retry-After` and `Connection: close`
   * (the listener stays open to say so); in-flight requests finish, or after `drainTimeoutMs` are aborted (their
   * generations end within one decode step) and unwind; then the listener closes. Calling it again returns the same
   * promise.
   */
  close(): Promise<void>;
  /** Aborts every in-flight request now (a second SIGTERM); `close()` then resolves once they unwound. */
  abortInFlight(reason?: string): void;
  /** True once `close()` was called. */
  readonly draining: boolean;
  /**
   * Whether `GET /ready` answers 200 (`true`, the default unless `startReady: false`) or 503 (models still loading).
   * `pio serve` listens at once, loads its models, then marks the server ready.
   */
  ready: boolean;
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
 * Generations go through the host's scheduler (for `pio serve`: the plugin manager's one queue and limits, shared
 * with the library): generations that wait for a model together run as one batch; a full queue answers 429; a
 * client that disconnects ends only its own request (it leaves the queue, or its row of the batch ends within one
 * decode step). SSE chunks are written as the tokens are produced, with backpressure.
 */
/** Routes answered without the API key: probes, and the chat page (its own API calls carry the key the user types). */
const PUBLIC_ROUTES = new Set([healthRoute, readyRoute, chatPageRoute]);

export function createServer(options: ServerOptions): PioServer {
  const maxBodyBytes = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const imageFetch = createNetworkFetch({ allowPrivateNetwork: options.allowPrivateNetwork ?? false });
  const controllers = new Set<AbortController>();
  const retiring = new Set<string>();
  /** Requests in flight per model id, so a model is unloaded only after them. */
  const modelRequests = new Map<string, Set<Promise<unknown>>>();
  let draining = false;
  let ready = options.startReady ?? true;
  let closing: Promise<void> | undefined;
  let idle: (() => void) | undefined;

  const track = <T>(model: HostedModel, work: Promise<T>): Promise<T> => {
    let set = modelRequests.get(model.id);
    if (!set) modelRequests.set(model.id, (set = new Set()));
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    set.add(settled);
    void settled.then(() => set.delete(settled));
    return work;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = performance.now();
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (draining) {
      // Shutting down: answer at once, and close the connection so the client reconnects elsewhere.
      response.setHeader('Connection', 'close');
      const error = new HttpRequestError('The server is shutting down. Retry on another instance or later.', {
        status: 503,
        type: 'server_error',
        errorCode: 'shutting_down',
        retryAfterSeconds: 5,
      });
      sendJson(response, 503, error.toBody(), { 'Retry-After': '5' });
      request.resume();
      options.onRequest?.({ method: request.method ?? 'GET', path: url.pathname, status: 503, durationMs: performance.now() - started });
      return;
    }
    request.socket.setNoDelay(true); // each SSE chunk leaves at once (no Nagle delay)
    const controller = new AbortController();
    controllers.add(controller);
    response.on('close', () => {
      if (!response.writableFinished) controller.abort(new Error('The client disconnected.'));
    });
    let failure: unknown;
    try {
      const route = matchRoute(request.method ?? 'GET', url.pathname);
      if (!PUBLIC_ROUTES.has(route.handler)) checkAuth(request, options.apiKey);
      const context = makeContext(request, response, route.params, controller.signal);
      await route.handler(context);
    } catch (error) {
      failure = error;
      const httpError = toHttpError(error);
      if (!response.headersSent && !response.destroyed) {
        const headers: Record<string, string> = draining ? { Connection: 'close' } : {};
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
    ready,
    signal,
    imagePolicy: {
      fileRoots: options.fileRoots ?? [],
      allowRemote: options.allowRemoteImages ?? true,
      fetch: imageFetch,
      maxBytes: options.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES,
      maxPixels: options.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS,
      maxImages: options.maxImagesPerRequest ?? 8,
      signal,
    },
    readBody: () => readJsonBody(request, maxBodyBytes),
    requireModel: (id, param = 'model') => {
      const model = retiring.has(id) ? undefined : options.host.getModel(id);
      if (!model) {
        throw new HttpRequestError(new ModelNotRegisteredError(id).message, {
          status: 404,
          type: 'invalid_request_error',
          param,
          errorCode: 'model_not_found',
        });
      }
      return model;
    },
    generateText: (model, prompt, textOptions) => track(model, options.host.generateText(model.id, prompt, { ...textOptions, signal })),
    generate: (model, generation, streamed, consume) =>
      track(
        model,
        (async () => {
          const deltas = await startedStream(options.host.streamGeneration(model.id, generation, { signal, streamed }));
          try {
            return await consume(deltas);
          } finally {
            await deltas.close();
          }
        })(),
      ),
    retireModel: async (model) => {
      retiring.add(model.id);
      try {
        await Promise.all(modelRequests.get(model.id) ?? []);
        await options.host.unregisterModel(model.id);
      } finally {
        modelRequests.delete(model.id);
        retiring.delete(model.id);
      }
    },
    sendJson: (status, body) => sendJson(response, status, body),
  });

  const httpServer = createHttpServer({ noDelay: true }, (request, response) => {
    void handle(request, response);
  });
  const abortInFlight = (reason = 'The server is shutting down.'): void => {
    for (const controller of controllers) controller.abort(new Error(reason));
  };

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
    get draining() {
      return draining;
    },
    get ready() {
      return ready;
    },
    set ready(value: boolean) {
      ready = value;
    },
    abortInFlight,
    close() {
      closing ??= (async () => {
        draining = true;
        if (controllers.size > 0) {
          const drained = new Promise<void>((resolve) => (idle = resolve));
          const timer = setTimeout(abortInFlight, options.drainTimeoutMs ?? 30_000);
          await drained;
          clearTimeout(timer);
        }
        if (!httpServer.listening) return;
        const stopped = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        httpServer.closeAllConnections();
        await stopped;
      })();
      return closing;
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
