import { createRequire } from 'node:module';
import path from 'node:path';
const require = createRequire(process.cwd() + '/package.json');
const tf = await import(require.resolve('@tensorflow/tfjs-core'));
const wasm = await import(require.resolve('@tensorflow/tfjs-backend-wasm'));
wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');
await tf.setBackend('wasm');
function time(name, f, n=7) { const ts=[]; for (let i=0;i<n;i++){ const t=performance.now(); const r=f(); r.dataSync(); r.dispose(); ts.push(performance.now()-t);} ts.sort((a,b)=>a-b); console.log(name, ts[n>>1].toFixed(2)); }
for (const m of []) {
const a = tf.randomNormal([m, 1024]); const w = tf.randomNormal([1024, 3072]); const wt = tf.randomNormal([3072, 1024]);
time(`m=${m} mm [in,out]`, () => tf.matMul(a, w));
time(`m=${m} mm transposeB`, () => tf.matMul(a, wt, false, true));
time(`m=${m} transpose+mm`, () => tf.tidy(() => tf.matMul(a, tf.transpose(wt))));
time(`m=${m} transposeA trick`, () => tf.tidy(() => tf.transpose(tf.matMul(wt, a, false, true))));
}
// attention shapes
for (const [q, k] of [[1, 512], [128, 128], [512,512]]) {
const Q = tf.randomNormal([1, 8, q, 128]); const K = tf.randomNormal([1, 8, k, 128]);
time(`attn q=${q} k=${k} transposeB`, () => tf.matMul(Q, K, false, true));
time(`attn q=${q} k=${k} transpose+mm`, () => tf.tidy(() => tf.matMul(Q, tf.transpose(K, [0,1,3,2]))));
}
for (const [q, k] of [[1, 512], [128, 128], [512,512]]) {
const Q = tf.randomNormal([1, 8, q, 128]); const KT = tf.randomNormal([1, 8, 128, k]); const V = tf.randomNormal([1,8,k,128]); const P = tf.randomNormal([1,8,q,k]);
time(`attn q=${q} k=${k} plain batched`, () => tf.matMul(Q, KT));
time(`attn q=${q} k=${k} plain PV`, () => tf.matMul(P, V));
time(`attn q=${q} k=${k} 3d plain`, () => tf.tidy(() => tf.matMul(tf.reshape(Q,[8,q,128]), tf.reshape(KT,[8,128,k]))));
const Qs = tf.unstack(tf.reshape(Q,[8,q,128])); const Ks = tf.unstack(tf.reshape(KT,[8,128,k]));
time(`attn q=${q} k=${k} per-head 2d`, () => tf.tidy(() => tf.stack(Qs.map((qq,i)=>tf.matMul(qq, Ks[i])))));
}
