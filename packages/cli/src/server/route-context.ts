import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BatchGenerationRequest, ChatCompletionDelta, ContentPart, GenerateTextOptions, GenerateTextResult } from '@pio/core';
import type { HostedModel, ModelHost } from '../host/model-host.js';
import type { ImageSourcePolicy } from './resolve-image-url.js';

/** What a route handler receives from the server. */
export interface RouteContext {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  /** Path parameters, e.g. `{ id }` for `/models/{id}`. */
  readonly params: Readonly<Record<string, string>>;
  /** The model host. */
  readonly host: ModelHost;
  /** False while the server's startup models are still loading (`GET /ready` answers 503). */
  readonly ready: boolean;
  /** Aborts when the client disconnects or the server stops. */
  readonly signal: AbortSignal;
  /** Where images may come from, bound to this request's signal. */
  readonly imagePolicy: ImageSourcePolicy;
  /** Reads the JSON body (size-limited). */
  readBody(): Promise<unknown>;
  /** The hosted model `id`, or a 404 `HttpRequestError` naming `param`. */
  requireModel(id: string, param?: string): HostedModel;
  /** Stops routing requests to a model (404 from now on), waits for its queued and running requests, then unloads it. */
  retireModel(model: HostedModel): Promise<void>;
  /** `generateText` of the model through the host's scheduler (alone; 429 when the queue is full), bound to this request's signal. */
  generateText(model: HostedModel, prompt: string | ContentPart[], options: GenerateTextOptions): Promise<GenerateTextResult>;
  /**
   * Runs a generation through the host's scheduler (429 when the queue is full), batched with the generations waiting
   * for the same model; once it produced its first delta, `consume` sends the answer from the request's own deltas
   * (errors before that are thrown here, before any response is started). `streamed`: the answer goes out as SSE.
   * The request's signal is this request's: a disconnect ends only its row.
   */
  generate<T>(
    model: HostedModel,
    request: BatchGenerationRequest,
    streamed: boolean,
    consume: (deltas: AsyncIterable<ChatCompletionDelta>) => Promise<T>,
  ): Promise<T>;
  /** Sends a JSON response. */
  sendJson(status: number, body: unknown): void;
}

/** A route handler. */
export type RouteHandler = (context: RouteContext) => Promise<void>;
