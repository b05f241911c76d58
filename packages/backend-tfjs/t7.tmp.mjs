import { createRequire } from 'node:module';
import path from 'node:path';
const require = createRequire(process.cwd() + '/package.json');
const tf = await import(require.resolve('@tensorflow/tfjs-core'));
const which = process.argv[2];
if (which === 'wasm') {
const wasm = await import(require.resolve('@tensorflow/tfjs-backend-wasm'));
wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');
} else { await import(require.resolve('@tensorflow/tfjs-backend-cpu')); }
await tf.setBackend(which);
if (which==='cpu') tf.backend().firstUse = false;
function time(name, f, n=5) { const ts=[]; for (let i=0;i<n;i++){ const t=performance.now(); const r=f(); r.dataSync(); r.dispose(); ts.push(performance.now()-t);} ts.sort((a,b)=>a-b); console.log(name, ts[n>>1].toFixed(2)); }
const wt = tf.randomNormal([3072, 1024]);
time('transpose 3M', () => tf.transpose(wt));
const K = tf.randomNormal([1, 8, 512, 128]);
time('transpose K 0132', () => tf.transpose(K, [0,1,3,2]));
if (which === 'cpu') {
  const a = tf.randomNormal([16, 1024]); const w = tf.randomNormal([1024, 3072]);
  time('cpu m16 mm', () => tf.matMul(a, w), 3);
  time('cpu m16 mm transB', () => tf.matMul(a, wt, false, true), 3);
}
for (const [q, k] of [[1, 512], [128, 128], [512,512]]) {
const Q = tf.randomNormal([1, 8, q, 128]); const K = tf.randomNormal([1, 8, k, 128]); const V = tf.randomNormal([1,8,k,128]);
time(`q=${q} k=${k} per-head xnn QK^T`, () => tf.tidy(() => {
  const kt = tf.transpose(tf.reshape(K, [8, k, 128]), [0, 2, 1]); const q3 = tf.reshape(Q, [8, q, 128]);
  const outs = []; for (let h = 0; h < 8; h++) outs.push(tf.matMul(tf.reshape(tf.slice(q3, [h,0,0],[1,q,128]), [q,128]), tf.reshape(tf.slice(kt,[h,0,0],[1,128,k]),[128,k])));
  return tf.reshape(tf.stack(outs), [1,8,q,k]); }));
time(`q=${q} k=${k} batched transB`, () => tf.matMul(Q, K, false, true));
}
