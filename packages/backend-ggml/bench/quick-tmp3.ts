import { createGgmlBackend } from '../src/index.js';
const b = await createGgmlBackend({ device: 'cpu', threads: Number(process.argv[2]) });
const w = b.weight({ dtype: 'F32', shape: [3072, 1024], bytes: new Uint8Array(new Float32Array(3072 * 1024).fill(0.01).buffer) }, { role: 'linear' });
const x = b.fill([1, 1, 1024], 0.5);
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const y = b.linear(x, w);
  await y.data();
  console.log(process.argv[2], (performance.now() - t0).toFixed(2), 'ms');
  y.dispose();
}
