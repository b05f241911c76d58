import type { Backend, CausalLM, DecoderSession, HostFloatArray, PromptBatch, SequenceBufferStorage, Tensor, WeightStorage } from '@pio/core';
import { buildAttentionMask, KVCache, ropeInverseFrequencies, ropeTables, type WeightSource } from '@pio/core/nn';
import { InvalidQwen3VLInputError } from './errors/invalid-qwen3-vl-input-error.js';
import { computeMropePositions, mropePairAxes } from './mrope.js';
import type { Qwen3VLConfig } from './qwen3-vl-config.js';
import { Qwen3VLSession } from './qwen3-vl-session.js';
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

/** One forward pass over new positions. */
export interface Qwen3VLForwardInput {
  /** `[batch][seq]` new token ids. */
  inputIds: readonly (readonly number[])[];
  /** `[3][batch][seq]` MRoPE positions of the new tokens. */
  positionIds: readonly (readonly (readonly number[])[])[];
  /** `[batch][past + seq]`: 1 for real tokens, 0 for pads, over cached and new positions. */
  attentionMask: readonly (readonly number[])[];
  /** Cache to read and extend (absent: no cache). */
  cache?: KVCache;
  /** Images whose tokens appear in `inputIds`. */
  images?: Qwen3VLImages;
  /** Return the logits of the last position only (`[batch, 1, vocab]`). */
  lastOnly?: boolean;
}

/** Qwen3-VL: a vision tower feeding a Qwen3 text decoder through image tokens and DeepStack. A {@link CausalLM}. */
export class Qwen3VLModel implements CausalLM<Qwen3VLImages> {
  readonly vocabSize: number;
  private readonly invFreq: Float32Array;
  private readonly pairAxes: Uint8Array;

  private constructor(
    readonly backend: Backend,
    readonly config: Qwen3VLConfig,
    readonly text: TextModel,
    readonly vision: VisionModel,
    /** Element type of the sessions' KV caches (on backends that keep them in place). */
    readonly kvCacheStorage: SequenceBufferStorage = 'float32',
  ) {
    this.vocabSize = config.text.vocabSize;
    this.invFreq = ropeInverseFrequencies(config.text.headDim, config.text.ropeTheta);
    this.pairAxes = mropePairAxes(config.text.mropeSection, config.text.mropeInterleaved);
  }

  /**
   * Loads every weight from `source` (module names after `QWEN3_VL_WEIGHT_RENAMES`). On failure the weights taken so
   * far are not freed here: `loadQwen3VLModel` tracks and frees them.
   */
  static async load(
    backend: Backend,
    source: WeightSource,
    config: Qwen3VLConfig,
    options: { storage?: WeightStorage; kvCacheStorage?: SequenceBufferStorage; onLayer?: (layer: number) => void } = {},
  ): Promise<Qwen3VLModel> {
    const vision = await VisionModel.load(backend, source, VISION_PREFIX, config.vision, options.storage);
    const text = await TextModel.load(backend, source, TEXT_PREFIX, LM_HEAD_NAME, config.text, options.storage, options.onLayer);
    return new Qwen3VLModel(backend, config, text, vision, options.kvCacheStorage);
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

  /** Logits `[batch, seq | 1, vocab]` of new positions. Synchronous: call inside `backend.scope`. */
  forward(input: Qwen3VLForwardInput): Tensor {
    const b = this.backend;
    const batch = input.inputIds.length;
    const seq = input.inputIds[0]?.length ?? 0;
    const hidden = this.config.text.hiddenSize;
    const ids = b.tensor(Int32Array.from(input.inputIds.flat()), [batch * seq], 'int32');
    let embeds = this.text.embedding.forward(ids); // [batch * seq, hidden]
    let deepstack: DeepstackInjection | undefined;
    if (input.images && input.images.imageGridThw.length > 0) {
      const vision = this.encodeImages(input.images);
      const slots = this.imageSlots(input.inputIds, vision.embeds.shape[0]);
      embeds = b.gather(b.concat([embeds, vision.embeds], 0), b.tensor(slots.embedIndex, [batch * seq], 'int32'), 0);
      const zero = b.fill([1, hidden], 0);
      deepstack = {
        index: b.tensor(slots.deepstackIndex, [batch * seq], 'int32'),
        features: vision.deepstack.map((f) => b.concat([zero, f], 0)),
      };
    }
    const tables = ropeTables(batch, seq, this.invFreq, (row, s, pair) => input.positionIds[this.pairAxes[pair]][row][s]);
    const pairs = this.invFreq.length;
    const rotary = { cos: b.tensor(tables.cos, [batch, seq, pairs]), sin: b.tensor(tables.sin, [batch, seq, pairs]) };
    // a padded cache returns keys and values padded to keyLength: the mask covers (and masks out) the padding
    const mask = buildAttentionMask(b, input.attentionMask, seq, { keyLength: input.cache?.keyLength(seq) });
    let h = this.text.forward(b.reshape(embeds, [batch, seq, hidden]), rotary, mask, input.cache, deepstack);
    if (input.lastOnly && seq > 1) h = b.slice(h, [0, seq - 1, 0], [batch, 1, hidden]);
    return this.text.logits(h);
  }

  /** Raw forward pass over a left-padded prompt: logits for every position, `[batch, seq, vocab]`. */
  async infer(input: { inputIds: number[][]; attentionMask?: number[][]; images?: Qwen3VLImages }): Promise<HostFloatArray> {
    const mask = input.attentionMask ?? input.inputIds.map((row) => row.map(() => 1));
    const { positionIds } = this.ropeIndex(input.inputIds, mask, input.images?.imageGridThw);
    const logits = this.backend.scope(() => this.forward({ inputIds: input.inputIds, positionIds, attentionMask: mask, images: input.images }));
    try {
      return { data: (await logits.data()) as Float32Array, shape: [...logits.shape] };
    } finally {
      logits.dispose();
    }
  }

  /** Starts a generation session (prefill, then one step per token) for a left-padded prompt batch. */
  createSession(prompt: PromptBatch, extras?: Qwen3VLImages): DecoderSession {
    return new Qwen3VLSession(this, prompt, extras);
  }

  /** Frees all weights. */
  dispose(): void {
    this.text.dispose();
    this.vision.dispose();
  }

  /** Where each position's embedding comes from: its own row, or vision token `k` (row `batch*seq + k`). */
  private imageSlots(inputIds: readonly (readonly number[])[], visionTokens: number): { embedIndex: Int32Array; deepstackIndex: Int32Array } {
    const flat = inputIds.flat();
    const embedIndex = new Int32Array(flat.length);
    const deepstackIndex = new Int32Array(flat.length);
    let k = 0;
    flat.forEach((id, p) => {
      if (id === this.config.imageTokenId) {
        embedIndex[p] = flat.length + k;
        deepstackIndex[p] = 1 + k;
        k++;
      } else {
        embedIndex[p] = p;
      }
    });
    if (k !== visionTokens) {
      throw new InvalidQwen3VLInputError({
        field: 'inputIds',
        detail: `${k} image tokens in the prompt but the images give ${visionTokens} (expand each image token to t*h*w/merge^2 copies)`,
      });
    }
    return { embedIndex, deepstackIndex };
  }
}
