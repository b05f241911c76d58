import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_FILES, matchesFileGlob } from './file-glob.js';

describe('matchesFileGlob', () => {
  it('keeps * and ? inside one folder and lets ** cross folders', () => {
    expect(matchesFileGlob('config.json', ['*.json'])).toBe(true);
    expect(matchesFileGlob('original/params.json', ['*.json'])).toBe(false);
    expect(matchesFileGlob('original/params.json', ['**/*.json'])).toBe(true);
    expect(matchesFileGlob('config.json', ['**/*.json'])).toBe(true);
    expect(matchesFileGlob('model-00001-of-00002.safetensors', ['model-0000?-of-*.safetensors'])).toBe(true);
    expect(matchesFileGlob('model.safetensors.index.json', ['model.safetensors'])).toBe(false);
    expect(matchesFileGlob('a+b(1).txt', ['a+b(1).txt'])).toBe(true);
  });

  it('selects configs, tokenizers, templates and weights at the top level by default', () => {
    const picked = [
      'config.json',
      'tokenizer.json',
      'chat_template.jinja',
      'model.safetensors',
      'merges.txt',
      'README.md',
      'original/consolidated.safetensors',
      'model.gguf',
      'pytorch_model.bin',
    ].filter((path) => matchesFileGlob(path, DEFAULT_MODEL_FILES));
    expect(picked).toEqual(['config.json', 'tokenizer.json', 'chat_template.jinja', 'model.safetensors', 'merges.txt']);
  });
});
