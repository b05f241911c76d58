import { PioError } from '@pio/core';
import { HttpRequestError } from '../errors/http-request-error.js';
import { ModelAlreadyRegisteredError } from '../errors/model-already-registered-error.js';
import { ModelNotRegisteredError } from '../errors/model-not-registered-error.js';

/** PIO error codes that mean the client asked for something wrong (answered 400, not 500). */
const CLIENT_FAULT = /INVALID|NOT_ALLOWED|NOT_FOUND|UNSUPPORTED|TOO_LONG|TOO_LARGE|UNTRUSTED|NO_PLUGIN|CONFIG|PATH/;

/** Maps any thrown value to the {@link HttpRequestError} sent to the client. */
export function toHttpError(error: unknown): HttpRequestError {
  if (HttpRequestError.isInstance(error)) return error;
  if (ModelNotRegisteredError.isInstance(error)) {
    return new HttpRequestError(error.message, { status: 404, type: 'invalid_request_error', param: 'model', errorCode: 'model_not_found' }, { cause: error });
  }
  if (ModelAlreadyRegisteredError.isInstance(error)) {
    return new HttpRequestError(error.message, { status: 409, type: 'invalid_request_error', param: 'model_id', errorCode: 'model_exists' }, { cause: error });
  }
  if (PioError.isInstance(error)) {
    if (error.code === 'PIO_BACKEND_MEMORY') {
      return new HttpRequestError(error.message, { status: 503, type: 'server_error', errorCode: 'out_of_memory', retryAfterSeconds: 5 }, { cause: error });
    }
    const status = CLIENT_FAULT.test(error.code) ? 400 : 500;
    return new HttpRequestError(error.message, {
      status,
      type: status === 400 ? 'invalid_request_error' : 'server_error',
      errorCode: error.code.toLowerCase(),
    }, { cause: error });
  }
  return new HttpRequestError('The server failed to process the request. See the server log for details.', { status: 500, type: 'server_error', errorCode: 'internal_error' }, { cause: error });
}
