import { preprocessImages } from './image/image-processor.js';
import { loadImage, type ImageSource, type LoadImageOptions } from './image/load-image.js';
import type { ImagePreprocessorConfig } from './image/preprocessor-config.js';
import { expandImageTokens } from './image-prompt.js';
import type { Qwen3VLImages } from './qwen3-vl-model.js';
import { InvalidQwen3VLInputError } from './errors/invalid-qwen3-vl-input-error.js';

/** A tokenized prompt with its images ready for the model. */
export interface PreparedImagePrompt {
  /** Token ids with each image token expanded to the image's token count. */
  inputIds: number[];
  /** Preprocessed images, absent when the prompt has none. */
  images?: Qwen3VLImages;
}

/**
 * Loads and preprocesses `sources` and expands the image tokens of `inputIds` (one per image, as the chat template
 * writes them) to `t * h * w / merge^2` copies each, as transformers' Qwen3-VL processor does.
 */
export async function prepareImagePrompt(
  inputIds: readonly number[],
  sources: readonly ImageSource[],
  settings: { imageTokenId: number; preprocessor: ImagePreprocessorConfig; load?: LoadImageOptions },
): Promise<PreparedImagePrompt> {
  const tokens = inputIds.filter((id) => id === settings.imageTokenId).length;
  if (tokens !== sources.length) {
    throw new InvalidQwen3VLInputError({ field: 'images', detail: `the prompt holds ${tokens} image tokens but ${sources.length} images were given` });
  }
  if (sources.length === 0) return { inputIds: [...inputIds] };
  const raw = await Promise.all(sources.map((source) => loadImage(source, settings.load)));
  const pre = preprocessImages(raw, settings.preprocessor);
  return {
    inputIds: expandImageTokens(inputIds, pre.numImageTokens, settings.imageTokenId),
    images: { pixelValues: pre.pixelValues, imageGridThw: pre.imageGridThw },
  };
}
