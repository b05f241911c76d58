import { UnsupportedSettingError } from '@pio/core';
import { describe, expect, it } from 'vitest';
import { NodeLlamaCppMissingError } from './errors/node-llama-cpp-missing-error.js';
import { BENCH_SHAPES } from './bench-shapes.js';
import { compareWithNodeLlamaCpp, type CompareWithNodeLlamaCppOptions } from './compare-with-node-llama-cpp.js';

const notInstalled = () => Promise.reject(Object.assign(new Error("Cannot find package 'node-llama-cpp'"), { code: 'ERR_MODULE_NOT_FOUND' }));
const base: CompareWithNodeLlamaCppOptions = {
  shape: { ...BENCH_SHAPES.tiny, layers: 1 },
  storages: ['float32'],
  threads: 1,
  promptTokens: 4,
  decodeTokens: 2,
  runEngine: () => Promise.reject(new Error('no engine should run')),
};

describe('compareWithNodeLlamaCpp refuses before doing any work', () => {
  it('says what to install when node-llama-cpp is missing', async () => {
    const error = await compareWithNodeLlamaCpp({ ...base, importNodeLlamaCpp: notInstalled }).catch((e: unknown) => e);
    expect(NodeLlamaCppMissingError.isInstance(error)).toBe(true);
    expect((error as NodeLlamaCppMissingError).message).toContain('npm install node-llama-cpp@3.22.1');
    expect((error as NodeLlamaCppMissingError).reason).toBe('not installed');
    expect(((error as Error).cause as { code: string }).code).toBe('ERR_MODULE_NOT_FOUND');
  });

  it('refuses a module without getLlama, and rethrows other import failures as they are', async () => {
    const empty = await compareWithNodeLlamaCpp({ ...base, importNodeLlamaCpp: () => Promise.resolve({}) }).catch((e: unknown) => e);
    expect(NodeLlamaCppMissingError.isInstance(empty)).toBe(true);
    const broken = new Error('native binding crashed');
    await expect(compareWithNodeLlamaCpp({ ...base, importNodeLlamaCpp: () => Promise.reject(broken) })).rejects.toBe(broken);
  });

  it('refuses storages that have no GGUF counterpart', async () => {
    const error = await compareWithNodeLlamaCpp({ ...base, storages: ['float32', 'bfloat16'] }).catch((e: unknown) => e);
    expect(UnsupportedSettingError.isInstance(error)).toBe(true);
    expect((error as UnsupportedSettingError).value).toBe('bfloat16');
  });
});
