import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadChatTemplate, loadTokenizer } from '@pio/core/text';
import { describe, expect, it } from 'vitest';
import { parsePreprocessorConfig } from './image/preprocessor-config.js';
import { expandImageTokens } from './image-prompt.js';
import { collectImages } from '@pio/core/generation';
import { prepareImagePrompt } from './prepare-image-prompt.js';
import { FIXTURE_DIR, maxAbsDiff, readBin, readGolden } from './testing/golden.js';

const goldenText = JSON.parse(readFileSync(join(FIXTURE_DIR, 'golden_text.json'), 'utf8'));
const golden = readGolden();
const preprocessor = parsePreprocessorConfig(JSON.parse(readFileSync(join(FIXTURE_DIR, 'preprocessor_config.json'), 'utf8')));

describe('image prompts', () => {
  it('render, encode and expand every golden_text chat case', async () => {
    const tokenizer = await loadTokenizer(FIXTURE_DIR);
    const template = await loadChatTemplate(FIXTURE_DIR);
    for (const c of goldenText.chat_cases) {
      const rendered = template.render({ messages: c.messages, tools: c.options.tools, addGenerationPrompt: c.options.add_generation_prompt });
      expect(rendered).toBe(c.rendered);
      const ids = tokenizer.encode(rendered);
      expect(ids).toEqual(c.input_ids);
      const sources = collectImages(c.messages);
      const prepared = await prepareImagePrompt(ids, sources, { imageTokenId: 1012, preprocessor, load: { baseDir: FIXTURE_DIR } });
      expect(prepared.inputIds).toEqual(c.input_ids_expanded ?? c.input_ids);
      if (c.image_grid_thw) {
        expect(prepared.images?.imageGridThw).toEqual([c.image_grid_thw]);
        expect(maxAbsDiff(prepared.images!.pixelValues.data, readBin(golden.preprocess.pixel_values).data)).toBeLessThanOrEqual(1e-6);
        expect(tokenizer.decode(prepared.inputIds)).toBe(c.rendered_expanded);
      } else {
        expect(prepared.images).toBeUndefined();
      }
    }
  });

  it('expands several images in order and rejects a count mismatch', () => {
    expect(expandImageTokens([5, 9, 6, 9, 7], [2, 3], 9)).toEqual([5, 9, 9, 6, 9, 9, 9, 7]);
    expect(() => expandImageTokens([9, 9], [1], 9)).toThrow(/image tokens/);
    expect(() => expandImageTokens([9], [1, 2], 9)).toThrow(/image tokens/);
  });
});
