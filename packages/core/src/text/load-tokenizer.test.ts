import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import { TokenizerLoadError } from '../errors/tokenizer-load-error.js';
import { loadTokenizer } from './load-tokenizer.js';

const qwenDir = fileURLToPath(new URL('../__fixtures__/qwen3vl-tiny/', import.meta.url));

describe('loadTokenizer', () => {
  it('throws TokenizerLoadError "missing" for a folder without tokenizer.json', async () => {
    const dir = makeTempDir('pio-tok-');
    await expect(loadTokenizer(dir)).rejects.toSatisfy(
      (e) => TokenizerLoadError.isInstance(e) && e.reason === 'missing' && e.path === join(dir, 'tokenizer.json'),
    );
  });

  it('throws TokenizerLoadError "invalid-json" for a corrupt file', async () => {
    const dir = makeTempDir('pio-tok-');
    writeFileSync(join(dir, 'tokenizer.json'), '{"model": ');
    await expect(loadTokenizer(dir)).rejects.toSatisfy((e) => TokenizerLoadError.isInstance(e) && e.reason === 'invalid-json');
  });

  it('works without tokenizer_config.json, and reads AddedToken objects in it', async () => {
    const dir = makeTempDir('pio-tok-');
    copyFileSync(join(qwenDir, 'tokenizer.json'), join(dir, 'tokenizer.json'));
    const bare = await loadTokenizer(dir);
    expect(bare.eosTokenId).toBeUndefined();
    expect(bare.encode('<|im_end|>')).toEqual([1002]);
    writeFileSync(
      join(dir, 'tokenizer_config.json'),
      JSON.stringify({ eos_token: { __type: 'AddedToken', content: '<|im_end|>', special: true }, bos_token: null, pad_token: '<|endoftext|>' }),
    );
    const withConfig = await loadTokenizer(dir);
    expect(withConfig.eosToken).toBe('<|im_end|>');
    expect(withConfig.eosTokenId).toBe(1002);
    expect(withConfig.padTokenId).toBe(1000);
    expect(withConfig.bosToken).toBeUndefined();
    expect(withConfig.specialTokensMap).toEqual({ eos_token: '<|im_end|>', pad_token: '<|endoftext|>' });
  });

  it('decodes ids it does not know to nothing', async () => {
    const tokenizer = await loadTokenizer(qwenDir);
    const ids = tokenizer.encode('ab');
    expect(tokenizer.decode([ids[0], 5000, ...ids.slice(1)])).toBe('ab');
    expect(tokenizer.decode([])).toBe('');
  });
});
