/**
 * Host buffers reused by every streamed weight upload of one backend: the float32 values of the part being converted
 * and its ggml encoding. They grow to the largest part seen (a few MiB with the loader's parts) and are dropped with
 * the backend, so converting a tensor makes no per-part garbage.
 */
export class ConversionScratch {
  private values = new Float32Array(0);
  private encoded = new Uint8Array(0);

  /** A float32 buffer of `length` values (contents undefined). */
  float32(length: number): Float32Array {
    if (this.values.length < length) this.values = new Float32Array(length);
    return this.values.subarray(0, length);
  }

  /** A byte buffer of `length` bytes (contents undefined). */
  bytes(length: number): Uint8Array {
    if (this.encoded.length < length) this.encoded = new Uint8Array(length);
    return this.encoded.subarray(0, length);
  }

  /** Lets go of both buffers. */
  clear(): void {
    this.values = new Float32Array(0);
    this.encoded = new Uint8Array(0);
  }
}
