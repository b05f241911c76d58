import type { IncomingMessage } from 'node:http';
import { HttpRequestError } from '../errors/http-request-error.js';
import { jsonSyntaxDetail } from '@pio/core';
import { jsonNestingDepth, MAX_JSON_DEPTH } from './json-nesting-depth.js';

/**
 * Reads a request body as JSON, refusing bodies over `limitBytes` (413, while it streams in), malformed JSON and
 * JSON nested deeper than {@link MAX_JSON_DEPTH} (400).
 * An empty body reads as `{}`.
 */
export async function readJsonBody(request: IncomingMessage, limitBytes: number): Promise<unknown> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) throw tooLarge(limitBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw tooLarge(limitBytes);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return {};
  if (jsonNestingDepth(text) > MAX_JSON_DEPTH) {
    throw new HttpRequestError(`The request body nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep. Send a flatter JSON body.`, {
      status: 400,
      type: 'invalid_request_error',
      errorCode: 'invalid_json',
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new HttpRequestError(
      `The request body is not valid JSON (${jsonSyntaxDetail(cause)}). Send a JSON object with Content-Type: application/json.`,
      { status: 400, type: 'invalid_request_error', errorCode: 'invalid_json' },
      { cause },
    );
  }
}

function tooLarge(limitBytes: number): HttpRequestError {
  return new HttpRequestError(
    `The request body is larger than the server's limit of ${limitBytes} bytes. Send smaller images or start the server with a larger body limit.`,
    { status: 413, type: 'invalid_request_error', errorCode: 'request_too_large' },
  );
}
