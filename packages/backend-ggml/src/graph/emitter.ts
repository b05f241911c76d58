import type { GgmlApi, NativePointer } from '../runtime/ggml-api.js';
import { GGML_TYPE } from '../runtime/ggml-api.js';

/** Context handed to op recipes while a graph is recorded: the API, the ggml context and small helpers. */
export class Emitter {
  constructor(
    /** The bound ggml API. */
    readonly api: GgmlApi,
    /** The ggml context of the graph being recorded. */
    readonly ctx: NativePointer,
  ) {}

  private readonly memos = new Map<string, Map<unknown, unknown>>();

  /** `make()` once per graph for the given kind and key objects (e.g. rope tables shared by every layer). */
  memo<T>(kind: string, keys: readonly unknown[], make: () => T): T {
    let level = this.memos.get(kind) ?? new Map<unknown, unknown>();
    this.memos.set(kind, level);
    for (const key of keys.slice(0, -1)) {
      const next = (level.get(key) as Map<unknown, unknown> | undefined) ?? new Map<unknown, unknown>();
      level.set(key, next);
      level = next;
    }
    const last = keys[keys.length - 1];
    if (!level.has(last)) level.set(last, make());
    return level.get(last) as T;
  }

  /** `t` itself when contiguous, else a contiguous copy. */
  cont(t: NativePointer): NativePointer {
    return this.api.ggml_is_contiguous(t) ? t : this.api.ggml_cont(this.ctx, t);
  }

  /** `t` as float32 (casts int32 and dequantizes compact weights). */
  f32(t: NativePointer, type: number): NativePointer {
    return type === GGML_TYPE.F32 ? t : this.api.ggml_cast(this.ctx, this.cont(t), GGML_TYPE.F32);
  }

  /** Reshapes to ggml `ne` (copying first if `t` is not contiguous). */
  reshape(t: NativePointer, ne: readonly number[]): NativePointer {
    return this.api.ggml_reshape_4d(this.ctx, this.cont(t), ne[0], ne[1], ne[2], ne[3]);
  }
}
