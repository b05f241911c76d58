import { PioError, type PioErrorOptions } from '@pio/core';

/** Fields of an {@link HttpRequestError}. */
export interface HttpRequestErrorFields {
  /** HTTP status to answer with. */
  status: number;
  /** OpenAI error `type`, e.g. `invalid_request_error`. */
  type: string;
  /** The request field at fault (dotted path), or null. */
  param?: string | null;
  /** OpenAI error `code`, e.g. `model_not_found`, or null. */
  errorCode?: string | null;
  /** Seconds the client should wait before retrying (sent as `Retry-After`). */
  retryAfterSeconds?: number;
}

/** A request the server refuses or fails; carries the HTTP status and the OpenAI-shaped error fields. */
export class HttpRequestError extends PioError {
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly errorCode: string | null;
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, fields: HttpRequestErrorFields, options: PioErrorOptions = {}) {
    super('PIO_HTTP_REQUEST', message, options);
    this.name = 'HttpRequestError';
    this.status = fields.status;
    this.type = fields.type;
    this.param = fields.param ?? null;
    this.errorCode = fields.errorCode ?? null;
    this.retryAfterSeconds = fields.retryAfterSeconds;
  }

  /** The body sent to the client: `{ error: { message, type, param, code } }`. */
  toBody(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.errorCode } };
  }

  /** True when `error` is an {@link HttpRequestError} from any copy of `@pio/cli`. */
  static override isInstance(error: unknown): error is HttpRequestError {
    return PioError.isInstance(error) && error.code === 'PIO_HTTP_REQUEST';
  }
}
