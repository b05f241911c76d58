import { createRequire } from 'node:module';
import path from 'node:path';
const require = createRequire(process.cwd() + '/package.json');
const tf = await import(require.resolve('@tensorflow/tfjs-core'));
const which = process.argv[2];
if (which === 'wasm') {
const wasm = await import(require.resolve('@tensorflow/tfjs-backend-wasm'));
wasm.setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');
} else await import(require.resolve('@tensorflow/tfjs-backend-cpu'));
await tf.setBackend(which);
function time(name, f, n=5) { const ts=[]; for (let i=0;i<n;i++){ const t=performance.now(); const r=f(); r.dataSync(); r.dispose(); ts.push(performance.now()-t);} ts.sort((a,b)=>a-b); console.log(name, ts[n>>1].toFixed(2)); }
const sizes = which === 'wasm' ? [[1, 512], [128, 128], [512,512]] : [[1,512],[128,128]];
for (const [q, k] of sizes) {
const Q = tf.randomNormal([1, 8, q, 128]); const K = tf.randomNormal([1, 8, k, 128]);
time(`q=${q} k=${k} batched transB`, () => tf.matMul(Q, K, false, true));
time(`q=${q} k=${k} split transB`, () => tf.tidy(() => { const qs = tf.unstack(tf.reshape(Q,[8,q,128])); const ks = tf.unstack(tf.reshape(K,[8,k,128])); return tf.reshape(tf.stack(qs.map((a,i)=>tf.matMul(a, ks[i], false, true))), [1,8,q,k]); }));
time(`q=${q} k=${k} split slice transB`, () => tf.tidy(() => { const Q3=tf.reshape(Q,[8,q,128]); const K3=tf.reshape(K,[8,k,128]); const outs=[]; for (let i=0;i<8;i++) outs.push(tf.matMul(tf.reshape(tf.slice(Q3,[i,0,0],[1,q,128]),[q,128]), tf.reshape(tf.slice(K3,[i,0,0],[1,k,128]),[k,128]), false, true)); return tf.reshape(tf.concat(outs, 0), [1,8,q,k]); }));
}
