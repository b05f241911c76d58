import {
  resolveContextLength,
  type Backend,
  type CausalLM,
  type DecoderSession,
  type HostFloatArray,
  type PromptBatch,
  type SequenceBufferStorage,
  type Tensor,
  type WeightStorage,
} from '@pio/core';
import {
  CachedDecoderSession,
  ropeInverseFrequencies,
  rotaryInputs,
  type DecoderForwardInput,
  type DecoderModel,
  type PromptPreparation,
  type WeightSource,
} from '@pio/core/nn';
import { InvalidQwen3VLInputError } from './errors/invalid-qwen3-vl-input-error.js';
import { computeMropePositions, mropePairAxes } from './mrope.js';
import type { Qwen3VLConfig } from './qwen3-vl-config.js';
import { Qwen3VLImageFeatures } from './qwen3-vl-image-features.js';
import type { DeepstackInjection } from './text/text-model.js';
import { TextModel } from './text/text-model.js';
import { VisionModel, type VisionOutput } from './vision/vision-model.js';
import { LM_HEAD_NAME, TEXT_PREFIX, VISION_PREFIX } from './weight-map.js';

/** Preprocessed images that go with a prompt (see `preprocessImages`). */
export interface Qwen3VLImages {
  /** `[patches, channels * temporal * patch^2]`. */
  pixelValues: HostFloatArray;
  /** `[images][3]`: t, h, w patch counts, in the order the images appear in the prompt. */
  imageGridThw: number[][];
}

/** Options of `Qwen3VLModel.load` that shape its sessions. */
export interface Qwen3VLSessionOptions {
  /** Element type of the sessions' KV caches (on backends that keep them in place). Default float32. */
  kvCacheStorage?: SequenceBufferStorage;
  /** Positions a session may hold (default from the config's `max_position_embeddings`: `resolveContextLength`). */
  contextLength?: number;
  /** Prompt positions per prefill forward pass (default 512). */
  prefillChunkSize?: number;
}

/**
 * Qwen3-VL: a vision tower feeding a Qwen3 text decoder through image tokens and DeepStack. A {@link CausalLM} whose
 * sessions are core's `CachedDecoderSession` over its forward pass ({@link DecoderModel}): the vision tower runs once
 * per prompt ({@link Qwen3VLModel.preparePrompt}) and its rows are scattered into the prefill chunks that hold image
 * tokens; positions are the MRoPE ones.
 */
export class Qwen3VLModel implements CausalLM<Qwen3VLImages>, DecoderModel<Qwen3VLImages, Qwen3VLImageFeatures | undefined> {
  readonly vocabSize: number;
  /** KV-cache layers: one per text decoder layer. */
  readonly cacheLayers: number;
  /** Positions a session may hold. */
  readonly contextLength: number;
  /** Element type of the sessions' KV caches (on backends that keep them in place). */
  readonly kvCacheStorage: SequenceBufferStorage;
  private readonly prefillChunkSize: number | undefined;
  private readonly invFreq: Float32Array;
  private readonly pairAxes: Uint8Array;

  private constructor(
    readonly backend: Backend,
    readonly config: Qwen3VLConfig,
    readonly text: TextModel,
    readonly vision: VisionModel,
    options: Qwen3VLSessionOptions = {},
  ) {
    this.vocabSize = config.text.vocabSize;
    this.cacheLayers = config.text.numLayers;
    this.contextLength = resolveContextLength(config.text.maxPositionEmbeddings, options.contextLength);
    this.kvCacheStorage = options.kvCacheStorage ?? 'float32';
    this.prefillChunkSize = options.prefillChunkSize;
    this.invFreq = ropeInverseFrequencies(config.text.headDim, config.text.ropeTheta);
    this.pairAxes = mropePairAxes(config.text.mropeSection, config.text.mropeInterleaved);
  }

  /**
   * Loads every weight from `source` (module names after `QWEN3_VL_WEIGHT_RENAMES`). On failure the weights taken so
   * far are not freed here: the kit's `loadCheckpoint` tracks and frees them.
   */
  static async load(
    backend: Backend,
    source: WeightSource,
    config: Qwen3VLConfig,
    options: Qwen3VLSessionOptions & { storage?: WeightStorage; onLayer?: (layer: number) => void } = {},
  ): Promise<Qwen3VLModel> {
    const vision = await VisionModel.load(backend, source, VISION_PREFIX, config.vision, options.storage);
    const text = await TextModel.load(backend, source, TEXT_PREFIX, LM_HEAD_NAME, config.text, options.storage, options.onLayer);
    return new Qwen3VLModel(backend, config, text, vision, options);
  }

  /** Runs the vision tower (inside a backend scope). */
  encodeImages(images: Qwen3VLImages): VisionOutput {
    const { pixelValues, imageGridThw } = images;
    const rowLength = this.config.vision.inChannels * this.config.vision.temporalPatchSize * this.config.vision.patchSize ** 2;
    const patches = imageGridThw.reduce((n, [t, h, w]) => n + t * h * w, 0);
    if (pixelValues.shape.length !== 2 || pixelValues.shape[0] !== patches || pixelValues.shape[1] !== rowLength) {
      throw new InvalidQwen3VLInputError({
        field: 'pixelValues',
        detail: `shape [${pixelValues.shape.join(', ')}] does not match the grids (expected [${patches}, ${rowLength}])`,
      });
    }
    return this.vision.forward(this.backend.tensor(pixelValues.data, pixelValues.shape), imageGridThw);
  }

  /** MRoPE positions and decode deltas of a prompt (transformers' `get_rope_index`). */
  ropeIndex(inputIds: readonly (readonly number[])[], attentionMask: readonly (readonly number[])[], imageGridThw: readonly (readonly number[])[] = []) {
    return computeMropePositions(inputIds, attentionMask, imageGridThw, this.config.vision.spatialMergeSize, this.config);
  }

  /** Per prompt, once: the MRoPE positions and, with images, the vision tower's outputs (kept for the chunks). */
  preparePrompt(prompt: PromptBatch, images: Qwen3VLImages | undefined): PromptPreparation<Qwen3VLImageFeatures | undefined> {
    const { positionIds } = this.ropeIndex(prompt.inputIds, prompt.attentionMask, images?.imageGridThw);
    if (!images || images.imageGridThw.length === 0) return { positions: positionIds, state: undefined };
    const b = this.backend;
    const [embeds, ...deepstack] = b.scope(() => {
      const vision = this.encodeImages(images);
      return [vision.embeds, ...vision.deepstack];
    });
    const features = Qwen3VLImageFeatures.create(b, { embeds, deepstack }, prompt.inputIds, this.config.imageTokenId);
    return { positions: positionIds, state: features, dispose: () => features.dispose() };
  }

  /** Logits of new positions (see {@link DecoderForwardInput.logits}); `positions` are `[3][batch][seq]` MRoPE rows. */
  async forward(input: DecoderForwardInput<Qwen3VLImageFeatures | undefined>): Promise<Tensor | undefined> {
    const b = this.backend;
    return b.scope(() => {
      const batch = input.inputIds.length;
      const seq = input.inputIds[0]?.length ?? 0;
      const hidden = this.config.text.hiddenSize;
      const ids = b.reshape(input.tokenIds, [batch * seq]);
      let embeds = this.text.embedding.forward(ids); // [batch * seq, hidden]
      let deepstack: DeepstackInjection | undefined;
      const scattered = input.state?.scatter(embeds, input.start, seq);
      if (scattered) ({ embeds, deepstack } = scattered);
      // text (all three MRoPE axes equal) goes in as plain positions where the backend has a fused rope
      const rotary = rotaryInputs(b, batch, seq, this.invFreq, (row, s, pair) => input.positions[this.pairAxes[pair]][row][s], input.positionIds);
      const h = this.text.forward(b.reshape(embeds, [batch, seq, hidden]), rotary, input.mask, input.cache, deepstack, input.logits);
      return h && this.text.logits(h);
    });
  }

  /** Raw forward pass over a left-padded prompt (run in prefill chunks): logits for every position, `[batch, seq, vocab]`. */
  async infer(input: { inputIds: number[][]; attentionMask?: number[][]; images?: Qwen3VLImages }): Promise<HostFloatArray> {
    const attentionMask = input.attentionMask ?? input.inputIds.map((row) => row.map(() => 1));
    const session = this.session({ inputIds: input.inputIds, attentionMask }, input.images);
    try {
      const logits = await session.prefillAll();
      try {
        return { data: (await logits.data()) as Float32Array, shape: [...logits.shape] };
      } finally {
        logits.dispose();
      }
    } finally {
      session.dispose();
    }
  }

  /** Starts a generation session (prefill, then one step per token) for a left-padded prompt batch. */
  createSession(prompt: PromptBatch, extras?: Qwen3VLImages): DecoderSession {
    return this.session(prompt, extras);
  }

  /** A core decode session over this model, with its context length and chunk size. */
  session(
    prompt: PromptBatch,
    images?: Qwen3VLImages,
    options: { prefillChunkSize?: number } = {},
  ): CachedDecoderSession<Qwen3VLImages, Qwen3VLImageFeatures | undefined> {
    return new CachedDecoderSession(this, prompt, images, {
      contextLength: this.contextLength,
      prefillChunkSize: options.prefillChunkSize ?? this.prefillChunkSize,
    });
  }

  /** Frees all weights. */
  dispose(): void {
    this.text.dispose();
    this.vision.dispose();
  }
}
