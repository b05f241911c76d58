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
  /**
   * Loads and holds the served models, and schedules their generations: queue length, concurrency, batching, max
   * tokens and timeouts are the host's (for `createManagerHost`, the `PluginManager`'s `limits`).
   */
  host: ModelHost;
  /** When set, every request except `GET /health` needs `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Largest request body, in bytes. Default 32 MiB. */
  maxBodyBytes?: number;
  /** Largest image (decoded or fetched), in bytes; a download stops as soon as it passes it. Default 20 MiB. */
  maxImageBytes?: number;
  /** Most pixels an image may declare in its header; larger ones are refused before decoding. Default 40 000 000. */
  maxImagePixels?: number;
  /** Most images one request may carry (counted before any is read). Default 8. */
  maxImagesPerRequest?: number;
  /**
   * Let image URLs reach loopback, private, link-local and other non-public addresses. Default false: such URLs
   * (and redirects to them) are refused after DNS resolution.
   */
  allowPrivateNetwork?: boolean;
  /** Folders `file:` image URLs may point into. Default none (`file:` refused). */
  fileRoots?: readonly string[];
  /** Fetch `http(s):` image URLs. Default true. */
  allowRemoteImages?: boolean;
  /** On close, how long to wait for in-flight requests before aborting them. Default 30 000 ms. */
  drainTimeoutMs?: number;
  /** Whether `GET /ready` starts at 200 (default true); `false` until `server.ready = true` (models loading). */
  startReady?: boolean;
  /** Called after every request (the server itself never prints). */
  onRequest?: (log: ServerRequestLog) => void;
}
