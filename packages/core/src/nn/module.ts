import type { Tensor } from '../backend/tensor.js';

/**
 * Base of PIO's building blocks: owns weights and child modules and frees them together.
 *
 * Modules hold no per-request state; the KV cache and masks are passed into `forward`.
 */
export abstract class Module {
  private readonly ownedTensors: Tensor[] = [];
  private readonly ownedModules: Module[] = [];

  /** Registers a tensor the module owns (freed by {@link Module.dispose}). Returns it. */
  protected own<T extends Tensor | undefined>(tensor: T): T {
    if (tensor) this.ownedTensors.push(tensor);
    return tensor;
  }

  /** Registers a child module (freed by {@link Module.dispose}). Returns it. */
  protected child<M extends Module>(module: M): M {
    this.ownedModules.push(module);
    return module;
  }

  /** Frees every weight of this module and its children. */
  dispose(): void {
    for (const m of this.ownedModules) m.dispose();
    for (const t of this.ownedTensors) t.dispose();
    this.ownedModules.length = 0;
    this.ownedTensors.length = 0;
  }
}
