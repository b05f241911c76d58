import type { Backend, Tensor, WeightStorage } from '@pio/core';
import { Module, type WeightSource } from '@pio/core/nn';
import type { Qwen3VLVisionConfig } from '../qwen3-vl-config.js';
import { PatchMerger } from './patch-merger.js';
import { VisionBlock } from './vision-block.js';
import { positionEmbeddingTaps, visionRotaryTables } from './vision-positions.js';

/** Output of the vision tower. */
export interface VisionOutput {
  /** `[imageTokens, textHidden]`: the merged image tokens, images one after another. */
  embeds: Tensor;
  /** One `[imageTokens, textHidden]` feature per DeepStack tap, in `deepstack_visual_indexes` order. */
  deepstack: Tensor[];
}

/** Qwen3-VL's vision tower: patch embedding, interpolated learned positions, ViT blocks with 2D RoPE, mergers. */
export class VisionModel extends Module {
  private constructor(
    private readonly backend: Backend,
    readonly config: Qwen3VLVisionConfig,
    /** `[hidden, channels, temporal, patch, patch]`: the Conv3d kernel, used as a matrix over flattened patches. */
    private readonly patchWeight: Tensor,
    private readonly patchBias: Tensor,
    /** `[numPositionEmbeddings, hidden]`. */
    private readonly positionTable: Tensor,
    private readonly blocks: VisionBlock[],
    private readonly merger: PatchMerger,
    private readonly deepstackMergers: PatchMerger[],
  ) {
    super();
    this.own(patchWeight);
    this.own(patchBias);
    this.own(positionTable);
    for (const m of [...blocks, merger, ...deepstackMergers]) this.child(m);
  }

  /** Loads `${prefix}.{patch_embed,pos_embed,blocks.*,merger,deepstack_merger_list.*}`. */
  static async load(backend: Backend, source: WeightSource, prefix: string, config: Qwen3VLVisionConfig, storage?: WeightStorage): Promise<VisionModel> {
    const { hiddenSize: h, inChannels: c, temporalPatchSize: t, patchSize: p } = config;
    const patchWeight = await source.take(`${prefix}.patch_embed.proj.weight`, { shape: [h, c, t, p, p] });
    const patchBias = await source.take(`${prefix}.patch_embed.proj.bias`, { shape: [h] });
    const positionTable = await source.take(`${prefix}.pos_embed.weight`, { role: 'embedding', shape: [config.numPositionEmbeddings, h] });
    const blocks: VisionBlock[] = [];
    for (let i = 0; i < config.depth; i++) blocks.push(await VisionBlock.load(backend, source, `${prefix}.blocks.${i}`, config, storage));
    const merger = await PatchMerger.load(backend, source, `${prefix}.merger`, config, false, storage);
    const deepstack: PatchMerger[] = [];
    for (let i = 0; i < config.deepstackVisualIndexes.length; i++) {
      deepstack.push(await PatchMerger.load(backend, source, `${prefix}.deepstack_merger_list.${i}`, config, true, storage));
    }
    return new VisionModel(backend, config, patchWeight, patchBias, positionTable, blocks, merger, deepstack);
  }

  /**
   * Encodes images. `pixelValues`: `[patches, channels * temporal * patch^2]` as the image processor makes them;
   * `grids`: `[images][3]` patch counts (t, h, w). Call inside a backend scope.
   */
  forward(pixelValues: Tensor, grids: readonly (readonly number[])[]): VisionOutput {
    const b = this.backend;
    const { spatialMergeSize: m, hiddenSize, numHeads, numPositionEmbeddings } = this.config;
    const side = Math.round(Math.sqrt(numPositionEmbeddings));
    const taps = positionEmbeddingTaps(grids, m, side);
    const tokens = taps.tokens;
    // position embeddings: sum over the 4 bilinear corners of table rows times weights
    const rows = b.gather(this.positionTable, b.tensor(taps.indices, [4 * tokens], 'int32'), 0); // [4 * tokens, hidden]
    const weighted = b.mul(b.reshape(rows, [4, tokens, hiddenSize]), b.tensor(taps.weights, [4, tokens, 1]));
    const corner = (i: number) => b.reshape(b.slice(weighted, [i, 0, 0], [1, tokens, hiddenSize]), [tokens, hiddenSize]);
    const positions = b.add(b.add(b.add(corner(0), corner(1)), corner(2)), corner(3));
    const kernel = b.reshape(this.patchWeight, [hiddenSize, -1]); // [hidden, channels * temporal * patch^2]
    const patches = b.add(b.matmul(pixelValues, kernel, { transposeB: true }), this.patchBias); // [tokens, hidden]
    let x = b.add(patches, positions);
    const tables = visionRotaryTables(grids, m, hiddenSize / numHeads);
    const pairs = hiddenSize / numHeads / 2;
    const context = {
      cos: b.tensor(tables.cos, [1, tokens, pairs]),
      sin: b.tensor(tables.sin, [1, tokens, pairs]),
      imageLengths: grids.flatMap(([t, h, w]) => new Array<number>(t).fill(h * w)),
    };
    const deepstack: Tensor[] = [];
    this.blocks.forEach((block, i) => {
      x = block.forward(x, context);
      const tap = this.config.deepstackVisualIndexes.indexOf(i);
      if (tap >= 0) deepstack[tap] = this.deepstackMergers[tap].forward(x);
    });
    return { embeds: this.merger.forward(x), deepstack };
  }
}
