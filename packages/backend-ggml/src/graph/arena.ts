import type { GgmlApi, NativePointer } from '../runtime/ggml-api.js';

/**
 * Backend memory shared by the tensors of one upload or one computed graph: a ggml context (tensor metadata) plus
 * the buffer or graph allocator holding the values. Freed when the last node referencing it lets go; a graph
 * allocator is handed to `recycle` (when given) so the next graph reuses its buffer. A run of a cached graph owns
 * neither (no context, no allocator): freeing it only tells the cache, through `onFree`, that the graph is free.
 */
export class Arena {
  private refs = 0;
  private freed = false;

  constructor(
    private readonly api: GgmlApi,
    private readonly ctx: NativePointer | null,
    private readonly buffer: NativePointer | null,
    private readonly gallocr: NativePointer | null,
    private readonly onFree: (arena: Arena) => void = () => {},
    private readonly recycle?: (gallocr: NativePointer) => void,
  ) {}

  /** True while no node references the arena. */
  get unused(): boolean {
    return this.refs <= 0;
  }

  /** Adds a reference. */
  retain(): void {
    this.refs++;
  }

  /** Drops a reference; frees the memory at zero. */
  release(): void {
    this.refs--;
    if (this.refs <= 0) this.free();
  }

  /** Frees the memory now (used by `Backend.dispose`). Safe to call twice. */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.onFree(this);
    if (this.buffer) this.api.ggml_backend_buffer_free(this.buffer);
    if (this.gallocr) {
      if (this.recycle) this.recycle(this.gallocr);
      else this.api.ggml_gallocr_free(this.gallocr);
    }
    if (this.ctx) this.api.ggml_free(this.ctx);
  }
}
