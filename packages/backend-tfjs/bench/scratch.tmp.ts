import { selectEngine } from '../src/index.js';
import { HalfCodec } from '../src/weights/half-codec.js';
import { Int8Codec } from '../src/weights/int8-codec.js';
import { decodeAll } from '../src/weights/host-codec.js';
const engine = await selectEngine('wasm');
const tf = engine.tf;
function med(f: () => void, n = 9) { const ts: number[] = []; for (let i = 0; i < n; i++) { const t = performance.now(); f(); ts.push(performance.now() - t); } ts.sort((a, b) => a - b); return ts[n >> 1].toFixed(2); }
const vals = new Float32Array(1024 * 1024).map(() => Math.random() - 0.5);
const bf = HalfCodec.encode('bfloat16', vals, 1024, 1024);
const i8 = Int8Codec.quantize(vals, 1024, 1024, 64);
console.log('bf16 decode logical', med(() => decodeAll(bf, 'logical')));
console.log('bf16 decode transposed', med(() => decodeAll(bf, 'transposed')));
console.log('int8 decode logical', med(() => decodeAll(i8, 'logical')));
console.log('int8 decode transposed', med(() => decodeAll(i8, 'transposed')));
const dec = decodeAll(bf, 'transposed');
console.log('upload 1M', med(() => tf.tensor(dec, [1024, 1024]).dispose()));
const x = tf.tensor(new Float32Array(1024).fill(1), [1, 1024]);
console.log('upload + matmul new b', med(() => { const w = tf.tensor(dec, [1024, 1024]); const y = tf.matMul(x, w); y.dataSync(); y.dispose(); w.dispose(); }));
const w0 = tf.tensor(dec, [1024, 1024]);
console.log('matmul same b', med(() => { const y = tf.matMul(x, w0); y.dataSync(); y.dispose(); }));
console.log('upload + matmul transB slow', med(() => { const w = tf.tensor(dec, [1024, 1024]); const y = tf.matMul(x, w, false, true); y.dataSync(); y.dispose(); w.dispose(); }));
console.log('erf 64K', med(() => { const t = tf.erf(tf.fill([16, 4096], 0.3)); t.dataSync(); t.dispose(); }));
console.log('tanh 64K', med(() => { const t = tf.tanh(tf.fill([16, 4096], 0.3)); t.dataSync(); t.dispose(); }));
// decode attention
const q = tf.randomNormal([1, 4, 4, 128]); const K = tf.randomNormal([1, 4, 1024, 128]); const V = tf.randomNormal([1, 4, 1024, 128]);
console.log('attn decode batched slow', med(() => tf.tidy(() => { const s = tf.softmax(tf.matMul(q, K, false, true)); return tf.matMul(s, V); }).dataSync()));
console.log('attn decode split fast', med(() => tf.tidy(() => {
  const qs = tf.unstack(tf.reshape(q, [4, 4, 128])); const ks = tf.unstack(tf.reshape(K, [4, 1024, 128])); const vs = tf.unstack(tf.reshape(V, [4, 1024, 128]));
  return tf.stack(qs.map((qh, h) => { const sT = tf.matMul(ks[h], tf.transpose(qh)); const p = tf.softmax(tf.transpose(sT)); return tf.matMul(p, vs[h]); }));
}).dataSync()));
console.log('attn decode mul-sum', med(() => tf.tidy(() => {
  const s = tf.sum(tf.mul(tf.reshape(q, [1, 4, 4, 1, 128]), tf.reshape(K, [1, 4, 1, 1024, 128])), -1);
  const p = tf.softmax(s);
  return tf.sum(tf.mul(tf.reshape(p, [1, 4, 4, 1024, 1]), tf.reshape(V, [1, 4, 1, 1024, 128])), 3);
}).dataSync()));
console.log('attn decode K@qT batched + P@V batched', med(() => tf.tidy(() => {
  const sT = tf.matMul(K, q, false, true); // [1,4,1024,4] slow path but b small
  const p = tf.softmax(tf.transpose(sT, [0, 1, 3, 2]));
  return tf.matMul(p, V);
}).dataSync()));
