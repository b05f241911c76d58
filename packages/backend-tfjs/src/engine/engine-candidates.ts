import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { tfNamespaceOf, type Tf } from '../runtime/tf-types.js';
import type { ActiveEngine, EngineTraits } from './active-engine.js';
import type { TfjsEngineName } from './engine-kinds.js';

const GIB = 2 ** 30;

/** Options that change how an engine is started. */
export interface EngineActivationOptions {
  /** Requested XNNPACK threads for wasm (used only where tfjs supports wasm threads; Node.js: never, see README). */
  wasmThreads?: number;
  /** Refuse `tfjs-node-gpu` when it loaded but found no usable CUDA device (explicit `gpu`); `auto` accepts it. */
  requireGpu?: boolean;
}

/** One engine: the modules it needs and how to start it once they are loaded. */
export interface EngineCandidate {
  /** Engine name. */
  readonly name: TfjsEngineName;
  /** Package specifiers to load, in order; `activate` receives their namespaces in the same order. */
  readonly specifiers: readonly string[];
  /** Sets the engine up and makes it the active tfjs backend; throws when it cannot run here. */
  activate(modules: readonly unknown[], options: EngineActivationOptions): Promise<ActiveEngine>;
}

/** TensorFlow's own kernels take transposes for free (not measured here: tfjs-node cannot install on this machine). */
const NATIVE_TRAITS: EngineTraits = {
  linearLayout: 'outIn',
  slowBatchedMatmul: false,
  packsMatmulOperand: false,
  aliasesHostArrays: true, // the binding holds the host array by reference until a tensor is first used
};

/** Measured on tfjs-backend-wasm 4.22: heap corruption past ~3.5 GiB, a single 2 GiB tensor fails (README). */
const WASM_TRAITS: EngineTraits = {
  linearLayout: 'inOut',
  slowBatchedMatmul: true,
  packsMatmulOperand: true,
  aliasesHostArrays: false,
  defaultMaxBytes: 3.25 * GIB,
  maxTensorBytes: 2 * GIB - 1,
};

/** The plain JS kernels run `a x b^T` about twice as fast as `a x b` (contiguous inner loop), so weights stay `[out, in]`. */
const JS_TRAITS: EngineTraits = {
  linearLayout: 'outIn',
  slowBatchedMatmul: false,
  packsMatmulOperand: false,
  aliasesHostArrays: true,
};

function tfOf(module: unknown, specifier: string): Tf {
  const tf = tfNamespaceOf(module);
  if (!tf) throw new Error(`${specifier} did not export the TensorFlow.js API`);
  return tf;
}

function requireBackendFactory(tf: Tf, backendName: string, specifier: string): void {
  if (tf.engine().registryFactory[backendName] === undefined) {
    throw new Error(
      `${specifier} registered no '${backendName}' backend in this @tensorflow/tfjs-core; two copies of tfjs-core are ` +
        'installed (dedupe them so the engine and PIO share one)',
    );
  }
}

async function activateNative(name: 'tfjs-node' | 'tfjs-node-gpu', modules: readonly unknown[], options: EngineActivationOptions): Promise<ActiveEngine> {
  const specifier = name === 'tfjs-node' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu';
  const tf = tfOf(modules[0], specifier);
  requireBackendFactory(tf, 'tensorflow', specifier);
  if (!(await tf.setBackend('tensorflow'))) throw new Error(`${specifier} failed to initialise its TensorFlow binding`);
  const usesGpu = (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
  if (name === 'tfjs-node-gpu' && options.requireGpu && !usesGpu) {
    throw new Error(`${specifier} loaded but found no usable CUDA device (check the CUDA 11.2 / cuDNN 8.1 libraries and the driver)`);
  }
  return { name, device: usesGpu ? 'gpu' : 'cpu', tf, backendName: 'tensorflow', threads: 0, traits: NATIVE_TRAITS };
}

/** The folder holding tfjs-backend-wasm's `.wasm` binaries, resolved from the installed package. */
export function wasmBinaryDirectory(): string {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  if (!existsSync(join(dir, 'tfjs-backend-wasm-simd.wasm'))) throw new Error(`no tfjs-backend-wasm-simd.wasm in ${dir}`);
  return dir;
}

interface WasmModule {
  setWasmPaths(prefix: string): void;
  setThreadsCount(n: number): void;
  getThreadsCount(): number;
}

async function activateWasm(modules: readonly unknown[], options: EngineActivationOptions): Promise<ActiveEngine> {
  const tf = tfOf(modules[0], '@tensorflow/tfjs-core');
  const wasm = modules[1] as Partial<WasmModule>;
  if (typeof wasm?.setWasmPaths !== 'function') throw new Error('@tensorflow/tfjs-backend-wasm has no setWasmPaths()');
  requireBackendFactory(tf, 'wasm', '@tensorflow/tfjs-backend-wasm');
  if (tf.engine().registry.wasm === undefined) {
    // Paths and threads are read once, when the wasm module is instantiated.
    wasm.setWasmPaths(`${wasmBinaryDirectory()}/`);
    if (options.wasmThreads !== undefined && wasm.setThreadsCount) wasm.setThreadsCount(options.wasmThreads);
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm module failed to instantiate');
  const threads = wasm.getThreadsCount ? wasm.getThreadsCount() : 1;
  return { name: 'tfjs-wasm', device: 'cpu', tf, backendName: 'wasm', threads, traits: WASM_TRAITS };
}

async function activateJs(modules: readonly unknown[]): Promise<ActiveEngine> {
  const tf = tfOf(modules[0], '@tensorflow/tfjs-core');
  requireBackendFactory(tf, 'cpu', '@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to initialise');
  // The JS backend prints an "install tfjs-node" banner on its first upload; a library must not print.
  (tf.backend() as { firstUse?: boolean }).firstUse = false;
  return { name: 'tfjs-cpu', device: 'cpu', tf, backendName: 'cpu', threads: 1, traits: JS_TRAITS };
}

/** Every engine, best first (the `auto` order). */
export const ENGINE_CANDIDATES: readonly EngineCandidate[] = [
  { name: 'tfjs-node-gpu', specifiers: ['@tensorflow/tfjs-node-gpu'], activate: (m, o) => activateNative('tfjs-node-gpu', m, o) },
  { name: 'tfjs-node', specifiers: ['@tensorflow/tfjs-node'], activate: (m, o) => activateNative('tfjs-node', m, o) },
  { name: 'tfjs-wasm', specifiers: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm'], activate: activateWasm },
  { name: 'tfjs-cpu', specifiers: ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu'], activate: (m) => activateJs(m) },
];
