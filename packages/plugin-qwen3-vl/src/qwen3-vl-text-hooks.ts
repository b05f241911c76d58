import { join } from 'node:path';
import { readOptionalConfigFile, type TextInferInput } from '@pio/core';
import type { TextModelHooks, TextModelRuntimeContext } from '@pio/core/plugin-kit';
import { DEFAULT_IMAGE_PREPROCESSOR_CONFIG, limitImagePixels, parsePreprocessorConfig } from './image/preprocessor-config.js';
import type { Qwen3VLConfig } from './qwen3-vl-config.js';
import type { Qwen3VLImages, Qwen3VLModel } from './qwen3-vl-model.js';
import type { Qwen3VLPluginSettings } from './qwen3-vl-plugin-options.js';
import { prepareImagePrompt } from './prepare-image-prompt.js';
import { createQwenOutputParser } from './chat/qwen-output-parser.js';
import { qwenToolCallGrammar } from './chat/qwen-tool-call-grammar.js';

/**
 * The Qwen3-VL hooks of the text surface: prompts are encoded, their images loaded (through the manager's path guard
 * and fetch) and preprocessed (`preprocessor_config.json`, else Qwen3-VL's defaults, within the vision pixel budget:
 * the manager's `limits.maxVisionPixels`, else the plugin option) and each image token expanded to
 * the image's token count; raw `generate` inputs carry `pixelValues` + `imageGridThw`; batched prompts' images are
 * stacked in row order; `<tool_call>` blocks of the output become tool calls, and forced tool calls use Qwen's
 * tool-call format.
 */
export async function qwen3VLTextHooks(
  context: TextModelRuntimeContext<Qwen3VLPluginSettings, Qwen3VLConfig, Qwen3VLModel>,
): Promise<TextModelHooks<Qwen3VLImages>> {
  const { model, modelDir, tokenizer, options, validatePath, fetch, limits } = context;
  // the vision budget caps the model's own max_pixels: larger images are resized down before any tensor is built
  const path = join(modelDir, 'preprocessor_config.json');
  const file = await readOptionalConfigFile(path, { validatePath });
  const config = file === undefined ? DEFAULT_IMAGE_PREPROCESSOR_CONFIG : parsePreprocessorConfig(file, path);
  const preprocessor = limitImagePixels(config, limits?.maxVisionPixels ?? options.maxVisionPixels);
  const imageLoad = { baseDir: options.imageBaseDir ?? process.cwd(), timeoutMs: options.imageTimeoutMs, validatePath, fetch };
  return {
    prepareInput: async ({ text, images }, { signal }) => {
      const prepared = await prepareImagePrompt(tokenizer.encode(text), images, {
        imageTokenId: model.config.imageTokenId,
        preprocessor,
        load: { ...imageLoad, signal },
      });
      return { inputIds: prepared.inputIds, extras: prepared.images };
    },
    extrasOf: imagesOf,
    combineExtras: combineImages,
    createOutputParser: createQwenOutputParser,
    toolCallGrammar: qwenToolCallGrammar,
  };
}

/** The images of a raw input (`pixelValues` + `imageGridThw`), if it has any. */
export function imagesOf(input: Pick<TextInferInput, 'pixelValues' | 'imageGridThw'>): Qwen3VLImages | undefined {
  return input.pixelValues && input.imageGridThw ? { pixelValues: input.pixelValues, imageGridThw: input.imageGridThw } : undefined;
}

/** The images of several prompts as those of one batch: their patches stacked in row order, the order the model reads image tokens. */
function combineImages(list: readonly (Qwen3VLImages | undefined)[]): Qwen3VLImages | undefined {
  const images = list.filter((entry): entry is Qwen3VLImages => entry !== undefined && entry.imageGridThw.length > 0);
  if (images.length === 0) return undefined;
  const width = images[0].pixelValues.shape[1];
  const data = new Float32Array(images.reduce((n, entry) => n + entry.pixelValues.data.length, 0));
  let offset = 0;
  for (const entry of images) {
    data.set(entry.pixelValues.data, offset);
    offset += entry.pixelValues.data.length;
  }
  return { pixelValues: { data, shape: [data.length / width, width] }, imageGridThw: images.flatMap((entry) => entry.imageGridThw) };
}
