import type { WeightStorage } from '@pio/core';
import { GGML_TYPE, type GgmlApi, type NativePointer } from '../runtime/ggml-api.js';

/** What the backend's weight repacking (ggml's CPU extra buffer types) does on this machine, for `GgmlBackend.weightRepack` and the load line. */
export interface WeightRepackInfo {
  /** True when some `linear` weights are stored in a repacked layout. */
  readonly enabled: boolean;
  /** Names of the extra buffer types used (`CPU_REPACK`, ...). */
  readonly bufferTypes: readonly string[];
  /** Storage types that get a repacked layout on this CPU (for `[out, in]` shapes the layout accepts). */
  readonly storages: readonly WeightStorage[];
  /** One line saying what is repacked, or why nothing is. */
  readonly reason: string;
}

/** An extra buffer type of the device and the ggml types it repacks here. */
interface ExtraBufferType {
  readonly buft: NativePointer;
  readonly name: string;
  readonly types: ReadonlySet<number>;
}

/** PIO storages and their ggml types, probed in this order. */
const STORAGE_TYPES: ReadonlyArray<readonly [WeightStorage, number]> = [
  ['q4_0', GGML_TYPE.Q4_0],
  ['q4_k', GGML_TYPE.Q4_K],
  ['q8_0', GGML_TYPE.Q8_0],
  ['float16', GGML_TYPE.F16],
  ['bfloat16', GGML_TYPE.BF16],
  ['float32', GGML_TYPE.F32],
];

/** Shape of the probe weight `[out, in]`: rows of 256 (a Q4_K super-block), 64 rows (any interleave up to 64). */
const PROBE = { in: 256, out: 64 } as const;

/**
 * ggml's CPU "extra" buffer types for weights, as llama.cpp's model loader uses them: a weight placed in such a
 * buffer (`CPU_REPACK`) is rearranged at upload into an interleaved layout that the device's GEMV/GEMM kernels read
 * several rows at a time (Q4_0 and Q4_K as 8x8 blocks on AVX2, Q8_0/Q4_0 4x4/4x8 on ARM with dot-product or i8mm).
 * The buffer type's own `supports_op` (through `ggml_backend_dev_supports_op`) decides, for each weight, whether
 * `mul_mat(weight, float32 activations)` runs from there; anything else stays in the plain CPU buffer. A repacked
 * weight can only be multiplied by `linear` (and `matmul` with `transposeB`): ggml cannot read it back, gather from
 * it or cast it.
 */
export class WeightRepack {
  private constructor(
    private readonly api: GgmlApi,
    private readonly dev: NativePointer,
    private readonly extras: readonly ExtraBufferType[],
    /** What is repacked here, or why nothing is. */
    readonly info: WeightRepackInfo,
  ) {}

  /** No repacking (GPU devices, `repackWeights: false`, a build without extra buffer types). */
  static none(api: GgmlApi, dev: NativePointer, reason: string): WeightRepack {
    return new WeightRepack(api, dev, [], { enabled: false, bufferTypes: [], storages: [], reason });
  }

  /**
   * Looks up the extra buffer types of the CPU device `dev` (`ggml_backend_dev_get_extra_bufts` from its registry)
   * and, for each, which of PIO's storage types its `supports_op` accepts for a `[64, 256]` weight.
   */
  static probe(api: GgmlApi, dev: NativePointer): WeightRepack {
    const getExtra = api.ggml_backend_reg_get_proc_address(api.ggml_backend_dev_backend_reg(dev), 'ggml_backend_dev_get_extra_bufts');
    if (!getExtra) return WeightRepack.none(api, dev, 'plain weights: this ggml build has no extra CPU buffer types');
    const extras: ExtraBufferType[] = [];
    const probe = new WeightRepack(api, dev, [], { enabled: false, bufferTypes: [], storages: [], reason: '' });
    for (const buft of api.callGetExtraBufts(getExtra, dev)) {
      const types = new Set<number>();
      for (const [, type] of STORAGE_TYPES) {
        const placed = probe.place(buft, type, [PROBE.out, PROBE.in]);
        if (!placed) continue;
        if (placed.supported) types.add(type);
        placed.free();
      }
      if (types.size > 0) extras.push({ buft, name: api.ggml_backend_buft_name(buft), types });
    }
    const storages = STORAGE_TYPES.filter(([, type]) => extras.some((x) => x.types.has(type))).map(([storage]) => storage);
    if (extras.length === 0) return WeightRepack.none(api, dev, 'plain weights: no extra CPU buffer type repacks any storage type on this CPU');
    const names = extras.map((x) => x.name);
    const reason = `${storages.join(', ')} linear weights repacked (${names.join(', ')}) where the layout accepts the shape`;
    return new WeightRepack(api, dev, extras, { enabled: true, bufferTypes: names, storages, reason });
  }

  /**
   * Allocates a `linear` weight `[out, in]` (or an `experts` stack `[experts, out, in]`, asked about as the weight of
   * `ggml_mul_mat_id`) of `ggmlType` in the first extra buffer type whose `supports_op` accepts it, or returns undefined (the caller allocates it in the plain buffer). The caller owns the returned context and
   * buffer, and must set the tensor whole (`ggml_backend_tensor_set` of all its bytes at offset 0): the buffer
   * repacks on that call.
   */
  allocateLinear(ggmlType: number, shape: readonly number[]): { ctx: NativePointer; buffer: NativePointer; tensor: NativePointer; name: string } | undefined {
    if (shape.length !== 2 && shape.length !== 3) return undefined;
    for (const extra of this.extras) {
      if (!extra.types.has(ggmlType)) continue;
      const placed = this.place(extra.buft, ggmlType, shape);
      if (!placed) continue;
      if (placed.supported) return { ctx: placed.ctx, buffer: placed.buffer, tensor: placed.tensor, name: extra.name };
      placed.free();
    }
    return undefined;
  }

  /**
   * Allocates a weight `[out, in]` or stack `[experts, out, in]` in `buft` and asks the device whether `mul_mat` (or, for a
   * stack, `mul_mat_id`) multiplies float32 activations from there.
   */
  private place(
    buft: NativePointer,
    type: number,
    shape: readonly number[],
  ): { ctx: NativePointer; buffer: NativePointer; tensor: NativePointer; supported: boolean; free(): void } | undefined {
    const api = this.api;
    const [experts, out, inDim] = shape.length === 3 ? shape : [0, ...shape];
    const ctx = api.ggml_init({ mem_size: api.ggml_tensor_overhead() * 2, mem_buffer: null, no_alloc: true });
    const tensor = api.ggml_new_tensor_4d(ctx, type, inDim, out, Math.max(experts, 1), 1);
    const buffer = api.ggml_backend_alloc_ctx_tensors_from_buft(ctx, buft);
    if (!buffer) {
      api.ggml_free(ctx);
      return undefined;
    }
    // the op is never computed: a context without memory holds the activations and the product
    const opCtx = api.ggml_init({ mem_size: api.ggml_tensor_overhead() * 4, mem_buffer: null, no_alloc: true });
    const activations = api.ggml_new_tensor_4d(opCtx, GGML_TYPE.F32, inDim, 1, 1, 1);
    const product =
      experts > 0
        ? api.ggml_mul_mat_id(opCtx, tensor, activations, api.ggml_new_tensor_4d(opCtx, GGML_TYPE.I32, 1, 1, 1, 1))
        : api.ggml_mul_mat(opCtx, tensor, activations);
    const supported = api.ggml_backend_dev_supports_op(this.dev, product);
    api.ggml_free(opCtx);
    return {
      ctx,
      buffer,
      tensor,
      supported,
      free: () => {
        api.ggml_backend_buffer_free(buffer);
        api.ggml_free(ctx);
      },
    };
  }
}
