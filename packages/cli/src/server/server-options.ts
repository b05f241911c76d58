import type { ModelHost } from '../host/model-host.js';

/** One finished request, reported through {@link ServerOptions.onRequest}. */
export interface ServerRequestLog {
  method: string;
  path: string;
  status: number;
  durationMs: number;
  /** The error behind a 5xx answer, for the log. */
  error?: unknown;
}

/** Options of {@link createServer}. */
export interface ServerOptions {
  /** Loads and holds the served models. */
  host: ModelHost;
  /** When set, every request except `GET /health` needs `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Largest request body, in bytes. Default 32 MiB. */
  maxBodyBytes?: number;
  /** Tasks (single requests or batches) one model runs at once. Default 1. */
  maxConcurrentPerModel?: number;
  /**
   * Most generations one model runs as one batch (plugins with `streamBatch`). Requests that wait in the model's queue
   * together run together, in arrival order; a running batch takes no new requests. 1 runs every request alone. Default 8.
   */
  maxBatchSize?: number;
  /** Requests that may wait per model; more get 429. Default 64. */
  maxQueuedPerModel?: number;
  /** Largest image (decoded or fetched), in bytes. Default 20 MiB. */
  maxImageBytes?: number;
  /** Folders `file:` image URLs may point into. Default none (`file:` refused). */
  fileRoots?: readonly string[];
  /** Fetch `http(s):` image URLs. Default true. */
  allowRemoteImages?: boolean;
  /** On close, how long to wait for in-flight requests before cancelling them. Default 30 000 ms. */
  drainTimeoutMs?: number;
  /** Called after every request (the server itself never prints). */
  onRequest?: (log: ServerRequestLog) => void;
}
