import type { NativePointer } from './ggml-api.js';

/**
 * Byte offsets inside `struct ggml_tensor` (ggml.h) of the build bundled with `@node-llama-cpp/*` 3.22.1, on 64-bit
 * targets: `type` (4 + 4 padding), `buffer` 8, `ne[4]` 16, `nb[4]` 48, `op` 80, `op_params[16]` 84, `flags` 148,
 * `src[GGML_MAX_SRC = 10]` 152, `view_src` 232, `view_offs` 240, `data` 248; 336 bytes in all.
 * {@link probeTensorLayout} checks them against the loaded library before use.
 */
export const TENSOR_LAYOUT = { ne: 16, op: 80, src: 152, maxSrc: 10, viewSrc: 232, size: 336 } as const;

/** Reads and writes native memory (koffi's `view` and `address`). */
export interface NativeMemory {
  view(ptr: NativePointer, length: number): ArrayBuffer;
  address(ptr: NativePointer): bigint;
}

/**
 * Turns a computed tensor into a graph leaf: `op = GGML_OP_NONE` and no sources, so later graphs that read it do not
 * recompute its ancestors (ggml's graph builder walks `src[]` of every tensor it meets). Returns the bytes it
 * overwrote (op, parameters, flags, sources) for {@link reattachTensor}.
 */
export function detachTensor(fields: Uint8Array): void {
  fields.fill(0, 0, 4);
  fields.fill(0, TENSOR_LAYOUT.src - TENSOR_LAYOUT.op);
}

/**
 * A live view of the bytes of `struct ggml_tensor` at `t` that {@link detachTensor} changes: `op` through the end of
 * `src[]` (op parameters and flags included). Copy it before detaching to undo the detach later (a reused graph).
 */
export function tensorOpFields(memory: NativeMemory, t: NativePointer): Uint8Array {
  return new Uint8Array(memory.view(t, TENSOR_LAYOUT.size), TENSOR_LAYOUT.op, TENSOR_LAYOUT.viewSrc - TENSOR_LAYOUT.op);
}

/**
 * Checks {@link TENSOR_LAYOUT} on tensors made by the loaded library: `a` `[3, 5, 7, 11]`, `sum = a + a`
 * (`GGML_OP_ADD` = 2, sources `a, a`) and `view = reshape(a)` (view source `a`). False when anything differs.
 */
export function probeTensorLayout(
  memory: NativeMemory,
  tensors: { a: NativePointer; sum: NativePointer; view: NativePointer },
  tensorOverhead: number,
): boolean {
  const a = memory.address(tensors.a);
  const at = (t: NativePointer) => new DataView(memory.view(t, TENSOR_LAYOUT.size));
  const ta = at(tensors.a);
  const ts = at(tensors.sum);
  const tv = at(tensors.view);
  const ne = [0, 1, 2, 3].map((i) => Number(ta.getBigInt64(TENSOR_LAYOUT.ne + 8 * i, true)));
  return (
    tensorOverhead - 32 === TENSOR_LAYOUT.size &&
    ne.join() === '3,5,7,11' &&
    ts.getInt32(TENSOR_LAYOUT.op, true) === 2 &&
    ts.getBigUint64(TENSOR_LAYOUT.src, true) === a &&
    ts.getBigUint64(TENSOR_LAYOUT.src + 8, true) === a &&
    tv.getBigUint64(TENSOR_LAYOUT.viewSrc, true) === a
  );
}
