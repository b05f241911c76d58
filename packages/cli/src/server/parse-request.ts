import type { z } from 'zod';
import { HttpRequestError } from '../errors/http-request-error.js';

/** Validates `body` with `schema`; a mismatch becomes a 400 naming the first offending field. */
export function parseRequest<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : null;
  const where = param === null ? 'The request body' : `The field '${param}'`;
  throw new HttpRequestError(`${where} is invalid: ${issue?.message ?? 'bad value'}.`, {
    status: 400,
    type: 'invalid_request_error',
    param,
    errorCode: 'invalid_value',
  });
}
