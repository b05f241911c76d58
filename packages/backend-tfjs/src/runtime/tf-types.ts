import type * as tfc from '@tensorflow/tfjs-core';

/** The TensorFlow.js API namespace an engine runs on (`@tensorflow/tfjs-core`, or `@tensorflow/tfjs-node`'s re-export). */
export type Tf = typeof tfc;

/** A TensorFlow.js tensor. */
export type TfTensor = tfc.Tensor;

/** True when `value` looks like a TensorFlow.js API namespace. */
export function isTfNamespace(value: unknown): value is Tf {
  const v = value as Partial<Tf> | null;
  return typeof v === 'object' && v !== null && typeof v.tidy === 'function' && typeof v.setBackend === 'function';
}

/** The TensorFlow.js namespace inside a loaded module (ES module namespace or CommonJS `default`), or `undefined`. */
export function tfNamespaceOf(module: unknown): Tf | undefined {
  if (isTfNamespace(module)) return module;
  const inner = (module as { default?: unknown } | null)?.default;
  return isTfNamespace(inner) ? inner : undefined;
}
