import { KVCache } from '@pio/core/nn';
import { createGgmlBackend } from '../src/index.js';
import { Qwen3Decoder } from './qwen3-decoder.js';
import { randomWeights } from './qwen3-shape.js';
const shape = { vocab: 64, hidden: 32, layers: Number(process.argv[2] ?? 1), heads: 4, kvHeads: 2, headDim: 8, intermediate: 64, ropeTheta: 10000, eps: 1e-6 };
const b = await createGgmlBackend({ device: 'cpu', threads: 1 });
const model = new Qwen3Decoder(b, shape, randomWeights(shape), 'float32');
const cache = new KVCache(b, shape.layers);
let logits = model.forward([1, 2, 3, 4], cache);
let data = await logits.data();
for (let i = 0; i < 4; i++) {
  logits.dispose();
  logits = model.forward([5], cache);
  data = await logits.data();
  console.log('step', i, data[0]);
}
