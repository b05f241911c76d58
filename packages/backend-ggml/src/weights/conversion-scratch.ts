/** Host buffers lent for one part's conversion: the float32 values and their ggml encoding. */
export interface ScratchLease {
  readonly values: Float32Array;
  readonly encoded: Uint8Array;
  /** Hands the buffers back (once the conversion, possibly on a worker thread, is over). */
  release(): void;
}

/**
 * Host buffers reused by the weight uploads of one backend: the float32 values of the part being converted and its
 * ggml encoding. They grow to the largest part seen (a few MiB with the loader's parts) and are dropped with the
 * backend, so converting a tensor makes no per-part garbage. A part converted while another still holds them (two
 * uploads quantizing at once on worker threads) gets buffers of its own.
 */
export class ConversionScratch {
  private values = new Float32Array(0);
  private encoded = new Uint8Array(0);
  private lent = false;

  /** Buffers of `length` values and `byteLength` bytes (contents undefined) until `release()`. */
  lease(length: number, byteLength: number): ScratchLease {
    if (this.lent) return { values: new Float32Array(length), encoded: new Uint8Array(byteLength), release: () => {} };
    this.lent = true;
    if (this.values.length < length) this.values = new Float32Array(length);
    if (this.encoded.length < byteLength) this.encoded = new Uint8Array(byteLength);
    let released = false;
    return {
      values: this.values.subarray(0, length),
      encoded: this.encoded.subarray(0, byteLength),
      release: () => {
        if (released) return;
        released = true;
        this.lent = false;
      },
    };
  }

  /** Lets go of both buffers (a lease still out keeps its own). */
  clear(): void {
    this.values = new Float32Array(0);
    this.encoded = new Uint8Array(0);
  }
}
