import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import { z } from 'zod';
import { ConfigFileError } from '../errors/config-file-error.js';
import { InvalidConfigError } from '../errors/invalid-config-error.js';
import { baseConfigSchema, configDtype } from './base-config.js';
import { parseConfig } from './parse-config.js';
import { readModelConfig } from './read-model-config.js';

const textConfigSchema = baseConfigSchema.extend({
  hidden_size: z.number().int().positive(),
  hidden_act: z.enum(['silu', 'gelu']),
  text_config: z.object({ num_hidden_layers: z.number().int() }),
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('parseConfig', () => {
  it('returns the typed value and keeps unknown keys', () => {
    const config = parseConfig(
      textConfigSchema,
      { model_type: 'qwen3', hidden_size: 64, hidden_act: 'silu', text_config: { num_hidden_layers: 2 }, rope_theta: 1e6 },
      { source: 'x' },
    );
    expect(config.hidden_size).toBe(64);
    expect(config.rope_theta).toBe(1e6);
  });

  it('reports every bad field with path, expected type and value found', () => {
    const error = catchError(() =>
      parseConfig(
        textConfigSchema,
        { architectures: ['A', 7], hidden_size: -3, hidden_act: 'relu', text_config: { num_hidden_layers: 'two' } },
        { source: '/m/config.json' },
      ),
    );
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    const e = error as InvalidConfigError;
    expect(e.source).toBe('/m/config.json');
    expect(e.issues).toEqual([
      { path: 'architectures[1]', expected: 'string', found: '7' },
      { path: 'model_type', expected: 'string', found: 'nothing (missing)' },
      { path: 'hidden_size', expected: 'a number > 0', found: '-3' },
      { path: 'hidden_act', expected: 'one of "silu" | "gelu"', found: '"relu"' },
      { path: 'text_config.num_hidden_layers', expected: 'number', found: '"two"' },
    ]);
    expect(e.message).toBe(
      'Invalid configuration in /m/config.json (5 problems):\n' +
        '  - architectures[1]: expected string, found 7\n' +
        '  - model_type: expected string, found nothing (missing)\n' +
        '  - hidden_size: expected a number > 0, found -3\n' +
        '  - hidden_act: expected one of "silu" | "gelu", found "relu"\n' +
        '  - text_config.num_hidden_layers: expected number, found "two"\n' +
        'Fix these fields and try again.',
    );
  });

  it('says "integer" for a fractional number in an integer field', () => {
    const error = catchError(() =>
      parseConfig(textConfigSchema, { model_type: 'x', hidden_size: 1.5, hidden_act: 'gelu', text_config: { num_hidden_layers: 1 } }),
    ) as InvalidConfigError;
    expect(error.issues).toEqual([{ path: 'hidden_size', expected: 'integer', found: '1.5' }]);
    expect(error.source).toBe('config');
  });

  it('names the root when the value is not an object', () => {
    const error = catchError(() => parseConfig(baseConfigSchema, [1, 2], { source: 's' })) as InvalidConfigError;
    expect(error.issues).toEqual([{ path: '', expected: 'object', found: 'an array of 2 items' }]);
    expect(error.message).toContain('  - (root): expected object, found an array of 2 items');
  });
});

describe('configDtype', () => {
  it('prefers dtype (transformers 5) over torch_dtype', () => {
    expect(configDtype({ dtype: 'float16', torch_dtype: 'bfloat16' })).toBe('float16');
    expect(configDtype({ torch_dtype: 'bfloat16' })).toBe('bfloat16');
    expect(configDtype({})).toBeUndefined();
  });
});

describe('readModelConfig', () => {
  async function modelDir(contents?: string): Promise<string> {
    const dir = makeTempDir('pio-config-');
    if (contents !== undefined) await writeFile(join(dir, 'config.json'), contents);
    return dir;
  }

  it('reads and validates config.json', async () => {
    const dir = await modelDir(JSON.stringify({ architectures: ['Glm4MoeLiteForCausalLM'], model_type: 'glm4_moe_lite', torch_dtype: 'bfloat16' }));
    const config = await readModelConfig(dir);
    expect(config.model_type).toBe('glm4_moe_lite');
    expect(config.architectures).toEqual(['Glm4MoeLiteForCausalLM']);
  });

  it('validates with a plugin schema', async () => {
    const dir = await modelDir(JSON.stringify({ model_type: 'x', hidden_size: 'big', hidden_act: 'silu', text_config: { num_hidden_layers: 1 } }));
    const error = await readModelConfig(dir, { schema: textConfigSchema }).catch((e: unknown) => e);
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    expect((error as InvalidConfigError).source).toBe(join(dir, 'config.json'));
    expect((error as InvalidConfigError).issues).toEqual([{ path: 'hidden_size', expected: 'number', found: '"big"' }]);
  });

  it('refuses a missing file', async () => {
    const dir = await modelDir();
    const error = await readModelConfig(dir).catch((e: unknown) => e);
    expect(ConfigFileError.isInstance(error)).toBe(true);
    expect((error as ConfigFileError).reason).toBe('missing');
    expect((error as Error).message).toBe(
      `No config file at ${join(dir, 'config.json')}. Point to a Hugging Face model folder (it holds config.json and the .safetensors files).`,
    );
  });

  it('refuses invalid JSON', async () => {
    const dir = await modelDir('{ "model_type": ');
    const error = await readModelConfig(dir).catch((e: unknown) => e);
    expect(ConfigFileError.isInstance(error)).toBe(true);
    expect((error as ConfigFileError).reason).toBe('invalid-json');
    expect((error as Error).message).toMatch(/config\.json is not valid JSON \(.+\)\. Download the file again\.$/);
  });

  it('refuses a folder that is a file path', async () => {
    const dir = await modelDir('{}');
    await mkdir(join(dir, 'sub'));
    const error = await readModelConfig(join(dir, 'config.json')).catch((e: unknown) => e);
    expect((error as ConfigFileError).reason).toBe('missing');
  });
});
