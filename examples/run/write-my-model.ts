import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeHostTensor, writeSafetensors } from '@pio/core/weights';

/** The words of the tiny WordLevel vocabulary; id 7 is `<eos>`. */
export const MY_MODEL_WORDS = ['w0', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6'];

/**
 * Writes a model folder for the plugin `pio new plugin my-model` generates (embedding → RMSNorm → LM head):
 * an identity embedding and an LM head that scores token `i + 1` after token `i`, so greedy decoding counts up
 * through the vocabulary ("w0 w2" → "w3 w4 w5 w6", then `<eos>`).
 */
export async function writeMyModel(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const vocab = MY_MODEL_WORDS.length + 1;
  const embed = new Float32Array(vocab * vocab);
  const head = new Float32Array(vocab * vocab);
  for (let i = 0; i < vocab; i++) {
    embed[i * vocab + i] = 1; // [vocab, hidden], hidden = vocab
    head[((i + 1) % vocab) * vocab + i] = 1; // [vocab, hidden]
  }
  await writeSafetensors(join(dir, 'model.safetensors'), {
    'model.embed_tokens.weight': encodeHostTensor(embed, [vocab, vocab], 'F32'),
    'model.norm.weight': encodeHostTensor(new Float32Array(vocab).fill(1), [vocab], 'F32'),
    'lm_head.weight': encodeHostTensor(head, [vocab, vocab], 'F32'),
  });
  const ids = Object.fromEntries([...MY_MODEL_WORDS, '<eos>'].map((word, id) => [word, id]));
  const tokenizer = {
    version: '1.0',
    added_tokens: [{ id: vocab - 1, content: '<eos>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
    normalizer: null,
    pre_tokenizer: { type: 'WhitespaceSplit' },
    post_processor: null,
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordLevel', vocab: ids, unk_token: '<eos>' },
  };
  await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(tokenizer));
  await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify({ eos_token: '<eos>' }));
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify({ architectures: ['MyModelForCausalLM'], model_type: 'my_model', hidden_size: vocab, vocab_size: vocab, rms_norm_eps: 1e-6 }),
  );
}
