import { createTextModelRuntime, loadGenerationConfig, type TextModelRuntime } from '@pio/core/generation';
import { ChatTemplateError } from '@pio/core';
import { loadChatTemplate, loadTokenizer } from '@pio/core/text';
import type { ImagePreprocessorConfig } from './image/preprocessor-config.js';
import type { LoadImageOptions } from './image/load-image.js';
import type { Qwen3VLImages, Qwen3VLModel } from './qwen3-vl-model.js';
import { prepareImagePrompt } from './prepare-image-prompt.js';
import { createQwenOutputParser } from './chat/qwen-output-parser.js';
import { qwenToolCallGrammar } from './chat/qwen-tool-call-grammar.js';

/** What {@link createQwen3VLRuntime} needs. */
export interface Qwen3VLRuntimeSettings {
  /** The loaded model. */
  model: Qwen3VLModel;
  /** The model folder (tokenizer, chat template, generation_config.json). */
  modelDir: string;
  /** Image preprocessing settings. */
  preprocessor: ImagePreprocessorConfig;
  /** How images are read (base folder for relative paths, download timeout, path guard). */
  imageLoad: LoadImageOptions;
  /** The path guard every model file goes through (tokenizer, chat template, generation config). */
  validatePath?: (path: string) => Promise<string>;
}

/**
 * Builds the text and chat surface of a loaded model on core's text-model runtime. The Qwen3-VL hooks: prompts are
 * encoded, their images loaded and preprocessed and each image token expanded to the image's token count; raw
 * `generate` inputs carry `pixelValues` + `imageGridThw`; batched prompts' images are stacked in row order; `<tool_call>`
 * blocks of the output become tool calls, and forced tool calls use Qwen's tool-call format.
 */
export async function createQwen3VLRuntime(settings: Qwen3VLRuntimeSettings): Promise<TextModelRuntime> {
  const { model, modelDir, preprocessor, imageLoad, validatePath } = settings;
  const tokenizer = await loadTokenizer(modelDir, { validatePath });
  // a folder without a chat template still serves raw prompts; a broken or refused one is an error
  const chatTemplate = await loadChatTemplate(modelDir, { validatePath }).catch((error: unknown) => {
    if (ChatTemplateError.isInstance(error) && error.reason === 'missing') return undefined;
    throw error;
  });
  // a bad generation_config.json is an error naming the field, never silently ignored
  const generationDefaults = await loadGenerationConfig(modelDir, { validatePath });
  return createTextModelRuntime<Qwen3VLImages>({
    model,
    tokenizer,
    chatTemplate,
    generationDefaults,
    prepareInput: async ({ text, images }, { signal }) => {
      const prepared = await prepareImagePrompt(tokenizer.encode(text), images, {
        imageTokenId: model.config.imageTokenId,
        preprocessor,
        load: { ...imageLoad, signal },
      });
      return { inputIds: prepared.inputIds, extras: prepared.images };
    },
    extrasOf: (input) =>
      input.pixelValues && input.imageGridThw ? { pixelValues: input.pixelValues, imageGridThw: input.imageGridThw } : undefined,
    combineExtras: combineImages,
    createOutputParser: createQwenOutputParser,
    toolCallGrammar: qwenToolCallGrammar,
  });
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
