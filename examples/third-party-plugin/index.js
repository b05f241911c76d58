// A third-party PIO plugin in one file of plain JavaScript (no build step).
// Model: each character (a byte) is embedded, then a linear head scores the 256 possible next characters;
// the plugin answers with the best-scoring character for every input character.
import { PLUGIN_SPEC_VERSION } from '@pio/core';
import { Embedding, Linear } from '@pio/core/nn';
import { createWeightSource, openCheckpoint } from '@pio/core/weights';

const VOCAB = 256; // one token per byte

/** @returns {import('@pio/core').ModelPluginInterface<string, string>} */
export function createCharShiftPlugin() {
  /** @type {import('@pio/core').Backend | undefined} */
  let backend;
  let validatePath = async (/** @type {string} */ path) => path;
  /** @type {{ embed: Embedding; head: Linear } | undefined} */
  let model;

  return {
    specificationVersion: PLUGIN_SPEC_VERSION,
    metadata: {
      name: 'char-shift',
      version: '1.0.0',
      description: 'One-layer character model: each input character in, the predicted character out.',
      architectures: ['CharShiftForCausalLM'],
      modelTypes: ['char_shift'],
      modalities: { input: ['text'], output: ['text'] },
      license: 'Apache-2.0',
      requiredTrust: 'sandboxed',
    },

    async initialize(options) {
      backend = options.backend;
      if (options.validatePath) validatePath = options.validatePath;
    },

    supportsConfig(config) {
      return typeof config === 'object' && config !== null && /** @type {{ model_type?: unknown }} */ (config).model_type === 'char_shift';
    },

    estimateMemory(config, storage) {
      const dim = /** @type {{ hidden_size: number }} */ (config).hidden_size;
      const parameters = 2 * VOCAB * dim;
      const weightBytes = parameters * (storage === 'float32' ? 4 : 2);
      return { storage, parameters, weightBytes, runtimeBytes: 4 * VOCAB * 1024, contextLength: 1024, totalBytes: weightBytes + 4 * VOCAB * 1024 };
    },

    async loadModel({ modelPath }) {
      if (!backend) throw new Error('char-shift: initialize() first');
      const dir = await validatePath(modelPath); // every path the plugin opens goes through validatePath
      const checkpoint = await openCheckpoint(dir);
      try {
        const source = createWeightSource(backend, checkpoint, { rename: [[/^model\./, '']] }); // model.embed.weight → embed.weight
        const dim = checkpoint.info('model.embed.weight')?.shape[1] ?? 0;
        const embed = await Embedding.load(backend, source, 'embed', { numEmbeddings: VOCAB, dim });
        const head = await Linear.load(backend, source, 'head', { inFeatures: dim, outFeatures: VOCAB, bias: false });
        model = { embed, head };
      } finally {
        await checkpoint.close();
      }
    },

    async infer(input, options = {}) {
      if (!backend || !model) throw new Error('char-shift: loadModel() first');
      const { embed, head } = model;
      const b = backend;
      options.signal?.throwIfAborted();
      const bytes = new TextEncoder().encode(input);
      const ids = b.tensor(Int32Array.from(bytes), [bytes.length], 'int32'); // [seq]
      const next = b.scope(() => b.argMax(head.forward(embed.forward(ids)), -1)); // [seq, dim] → [seq, vocab] → [seq]
      ids.dispose();
      const out = await next.data(); // read outside the scope
      next.dispose();
      return new TextDecoder().decode(Uint8Array.from(out));
    },

    async cleanup() {
      model?.embed.dispose();
      model?.head.dispose();
      model = undefined;
    },
  };
}
