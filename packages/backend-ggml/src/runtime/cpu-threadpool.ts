import type { GgmlApi, NativePointer } from './ggml-api.js';

/** Bytes of `struct ggml_threadpool_params`: `bool cpumask[512]`, `int n_threads`, `int prio`, `uint32 poll`, `bool strict_cpu`, `bool paused` (padded). */
const PARAMS_BYTES = 528;
/** Offsets of the fields after the CPU mask. */
const N_THREADS = 512;
const PRIO = 516;
const POLL = 520;
/** ggml's default polling level (0 none .. 100 aggressive): workers spin briefly for the next graph, then sleep. */
const DEFAULT_POLL = 50;

/**
 * Gives a CPU backend a persistent ggml threadpool (`ggml_threadpool_new` + `ggml_backend_cpu_set_threadpool`, both
 * from the CPU registry), as llama.cpp's tools attach one. Without it ggml makes a disposable pool in every
 * `ggml_backend_graph_compute`: a decode step starts and joins its worker threads each time, and the fresh threads
 * join the graph's first barriers late. Returns the function that frees the pool (call it after `ggml_backend_free`),
 * or undefined when the build does not export the functions (the backend then keeps ggml's per-graph pools).
 */
export function attachCpuThreadpool(api: GgmlApi, dev: NativePointer, backend: NativePointer, threads: number): (() => void) | undefined {
  const reg = api.ggml_backend_dev_backend_reg(dev);
  const create = api.ggml_backend_reg_get_proc_address(reg, 'ggml_threadpool_new');
  const attach = api.ggml_backend_reg_get_proc_address(reg, 'ggml_backend_cpu_set_threadpool');
  const free = api.ggml_backend_reg_get_proc_address(reg, 'ggml_threadpool_free');
  if (!create || !attach || !free) return undefined;
  const params = new Uint8Array(PARAMS_BYTES); // no CPU mask (no pinning), not strict, not paused
  const fields = new DataView(params.buffer);
  fields.setInt32(N_THREADS, threads, true);
  fields.setInt32(PRIO, 0, true); // GGML_SCHED_PRIO_NORMAL: the process's own priority
  fields.setUint32(POLL, DEFAULT_POLL, true);
  const pool = api.callThreadpoolNew(create, params);
  if (!pool) return undefined;
  api.callSetThreadpool(attach, backend, pool);
  return () => api.callThreadpoolFree(free, pool);
}
