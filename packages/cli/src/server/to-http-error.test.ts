import { ContextLengthExceededError, InvalidGenerationOptionsError, UnsupportedInputError } from '@pio/core';
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

  it('answers a prompt token outside the vocabulary with 400 naming messages, and other generation options by their field', () => {
    const prompt = toHttpError(new InvalidGenerationOptionsError({ option: 'inputIds[0][3]', expected: 'a token id in [0, 1024)', value: 1500 }));
    expect(prompt.status).toBe(400);
    expect(prompt.toBody().error).toMatchObject({ type: 'invalid_request_error', param: 'messages', code: 'invalid_prompt' });
    expect(prompt.message).toContain('1500');
    const topP = toHttpError(new InvalidGenerationOptionsError({ option: 'rowOptions[1].topP', expected: 'a number in (0, 1]', value: 2 }));
    expect(topP.status).toBe(400);
    expect(topP.toBody().error).toMatchObject({ param: 'top_p', code: 'invalid_generation_options' });
  });

  it('answers input the model cannot take with 400 naming messages', () => {
    const error = toHttpError(new UnsupportedInputError({ input: 'images', hint: 'send text only.' }));
    expect(error.status).toBe(400);
    expect(error.toBody().error).toMatchObject({ type: 'invalid_request_error', param: 'messages', code: 'unsupported_input' });
  });
});
