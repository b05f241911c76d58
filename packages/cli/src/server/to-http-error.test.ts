import { ContextLengthExceededError } from '@pio/core';
import { describe, expect, it } from 'vitest';
import { toHttpError } from './to-http-error.js';

describe('toHttpError', () => {
  it('answers a prompt longer than the context with 400 context_length_exceeded, naming both numbers', () => {
    const error = toHttpError(new ContextLengthExceededError({ promptTokens: 9000, contextLength: 4096 }));
    expect(error.status).toBe(400);
    expect(error.toBody().error).toMatchObject({ type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' });
    expect(error.message).toContain('9000');
    expect(error.message).toContain('4096');
  });
});
