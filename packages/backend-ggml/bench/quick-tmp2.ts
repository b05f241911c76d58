import { createGgmlBackend } from '../src/index.js';
const b = await createGgmlBackend({ device: 'cpu', threads: 2 });
const w = b.weight({ dtype: 'F32', shape: [3072, 1024], bytes: new Uint8Array(new Float32Array(3072 * 1024).fill(0.01).buffer) }, { role: 'linear' });
const x = b.fill([1, 128, 1024], 0.5);
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const y = b.linear(x, w);
  await y.data();
  console.log('linear 128x1024x3072', (performance.now() - t0).toFixed(1), 'ms');
  y.dispose();
}
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const y = b.linear(b.fill([1, 1, 1024], 0.5), w);
  await y.data();
  console.log('linear 1x1024x3072', (performance.now() - t0).toFixed(1), 'ms', [(globalThis as any).__buildMs, (globalThis as any).__allocMs, (globalThis as any).__computeMs].map((v) => v.toFixed(1)).join(' '));
}
const q = b.fill([1, 16, 128, 128], 0.1), k = b.fill([1, 8, 128, 128], 0.1);
for (let i = 0; i < 2; i++) {
  const t0 = performance.now();
  const y = b.attention(q, k, k, { scale: 0.1 });
  await y.data();
  console.log('attn', (performance.now() - t0).toFixed(1), 'ms');
}
