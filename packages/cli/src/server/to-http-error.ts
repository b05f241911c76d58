import {
  ChatTemplateError,
  ContextLengthExceededError,
  ExecutionAbortedError,
  ExecutionTimeoutError,
  InvalidGenerationOptionsError,
  PioError,
  ResourceLimitError,
  UnsupportedInputError,
} from '@pio/core';
import { HttpRequestError } from '../errors/http-request-error.js';
import { ModelAlreadyRegisteredError } from '../errors/model-already-registered-error.js';
import { ModelNotRegisteredError } from '../errors/model-not-registered-error.js';

/** PIO error codes that mean the client asked for something wrong (answered 400, not 500). */
const CLIENT_FAULT = /INVALID|NOT_ALLOWED|NOT_FOUND|UNSUPPORTED|TOO_LONG|TOO_LARGE|UNTRUSTED|NO_PLUGIN|CONFIG|PATH|CONTEXT_LENGTH|IMAGE_LOAD|DUPLICATE_PLUGIN/;

/** The request field behind each generation option. */
const GENERATION_PARAMS: Readonly<Record<string, string>> = {
  maxNewTokens: 'max_tokens',
  temperature: 'temperature',
  topK: 'top_k',
  topP: 'top_p',
  minP: 'min_p',
  repetitionPenalty: 'repetition_penalty',
  presencePenalty: 'presence_penalty',
  frequencyPenalty: 'frequency_penalty',
  seed: 'seed',
  stop: 'stop',
  topLogprobs: 'top_logprobs',
};

/** Maps any thrown value to the {@link HttpRequestError} sent to the client. */
export function toHttpError(error: unknown): HttpRequestError {
  if (HttpRequestError.isInstance(error)) return error;
  if (ModelNotRegisteredError.isInstance(error)) {
    return new HttpRequestError(error.message, { status: 404, type: 'invalid_request_error', param: 'model', errorCode: 'model_not_found' }, { cause: error });
  }
  if (ModelAlreadyRegisteredError.isInstance(error)) {
    return new HttpRequestError(error.message, { status: 409, type: 'invalid_request_error', param: 'model_id', errorCode: 'model_exists' }, { cause: error });
  }
  if (ContextLengthExceededError.isInstance(error)) {
    return new HttpRequestError(
      error.message,
      { status: 400, type: 'invalid_request_error', param: 'messages', errorCode: 'context_length_exceeded' },
      { cause: error },
    );
  }
  if (InvalidGenerationOptionsError.isInstance(error) && error.option.startsWith('inputIds')) {
    // the prompt tokenized to an id the model cannot look up (a tokenizer larger than the model's vocabulary)
    const message = `The prompt holds token ${String(error.value)}, which this model cannot read (it takes ${error.expected}). Change the prompt.`;
    return new HttpRequestError(message, { status: 400, type: 'invalid_request_error', param: 'messages', errorCode: 'invalid_prompt' }, { cause: error });
  }
  if (UnsupportedInputError.isInstance(error)) {
    return new HttpRequestError(
      error.message,
      { status: 400, type: 'invalid_request_error', param: 'messages', errorCode: 'unsupported_input' },
      { cause: error },
    );
  }
  if (InvalidGenerationOptionsError.isInstance(error)) {
    const param = GENERATION_PARAMS[error.option.replace(/^rowOptions\[\d+\]\./, '')];
    return new HttpRequestError(
      error.message,
      { status: 400, type: 'invalid_request_error', ...(param ? { param } : {}), errorCode: 'invalid_generation_options' },
      { cause: error },
    );
  }
  if (ResourceLimitError.isInstance(error)) {
    if (error.limit === 'maxNewTokens') {
      const message =
        `max_tokens is ${error.requested}, above this server's limit of ${error.maximum} new tokens. ` +
        `Ask for at most ${error.maximum} (the operator can raise it with pio serve --max-tokens-limit).`;
      return new HttpRequestError(
        message,
        { status: 400, type: 'invalid_request_error', param: 'max_tokens', errorCode: 'max_tokens_too_large' },
        { cause: error },
      );
    }
    const message = `The server is busy: ${error.message}`;
    return new HttpRequestError(message, { status: 429, type: 'rate_limit_error', errorCode: 'queue_full', retryAfterSeconds: 1 }, { cause: error });
  }
  if (ExecutionTimeoutError.isInstance(error)) {
    const message = `The generation took longer than the server's limit of ${error.timeoutMs} ms and was stopped. Ask for fewer tokens.`;
    return new HttpRequestError(message, { status: 504, type: 'server_error', errorCode: 'timeout' }, { cause: error });
  }
  if (ExecutionAbortedError.isInstance(error)) {
    const message = 'The generation was stopped because the server is unloading the model or shutting down. Retry later.';
    return new HttpRequestError(message, { status: 503, type: 'server_error', errorCode: 'cancelled', retryAfterSeconds: 5 }, { cause: error });
  }
  if (ChatTemplateError.isInstance(error) && (error.reason === 'invalid-message' || error.reason === 'render')) {
    // the messages, tools or chat_template_kwargs the client sent cannot be rendered by the model's template
    return new HttpRequestError(
      error.message,
      { status: 400, type: 'invalid_request_error', param: 'messages', errorCode: 'invalid_messages' },
      { cause: error },
    );
  }
  if (PioError.isInstance(error)) {
    if (error.code === 'PIO_BACKEND_MEMORY') {
      return new HttpRequestError(error.message, { status: 503, type: 'server_error', errorCode: 'out_of_memory', retryAfterSeconds: 5 }, { cause: error });
    }
    const status = CLIENT_FAULT.test(error.code) ? 400 : 500;
    return new HttpRequestError(
      error.message,
      {
        status,
        type: status === 400 ? 'invalid_request_error' : 'server_error',
        errorCode: error.code.toLowerCase(),
      },
      { cause: error },
    );
  }
  return new HttpRequestError(
    'The server failed to process the request. See the server log for details.',
    { status: 500, type: 'server_error', errorCode: 'internal_error' },
    { cause: error },
  );
}
