import { selectEngine } from '../src/index.js';
const engine = await selectEngine('wasm');
const tf = engine.tf;
function med(f: () => void, n = 15) { const ts: number[] = []; for (let i = 0; i < n; i++) { const t = performance.now(); f(); ts.push(performance.now() - t); } ts.sort((a, b) => a - b); return ts[n >> 1].toFixed(2); }
const w = new Float32Array(1024 * 1024).map(() => Math.random() - 0.5);
for (const m of [1, 2, 4, 8, 16, 32]) {
  const x = tf.randomNormal([m, 1024]);
  const a = med(() => { const wt = tf.tensor(w, [1024, 1024]); const y = tf.matMul(x, wt, false, true); y.dataSync(); y.dispose(); wt.dispose(); });
  const b = med(() => { const wt = tf.tensor(w, [1024, 1024]); const y = tf.matMul(x, wt); y.dataSync(); y.dispose(); wt.dispose(); });
  console.log(`m=${m} slow transB ${a}  pack+fast ${b}`);
  x.dispose();
}
for (const m of [4, 8, 16, 24, 32, 64]) {
  const A = tf.randomNormal([8, m, 128]); const B = tf.randomNormal([8, 128, 256]);
  const batched = med(() => { const y = tf.matMul(A, B); y.dataSync(); y.dispose(); });
  const split = med(() => { const y = tf.tidy(() => { const as = tf.unstack(A); const bs = tf.unstack(B); return tf.stack(as.map((ai, i) => tf.matMul(ai, bs[i]))); }); y.dataSync(); y.dispose(); });
  console.log(`batch8 m=${m} batched ${batched} split ${split}`);
}
