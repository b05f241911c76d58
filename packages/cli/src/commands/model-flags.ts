/** Flags shared by the commands that load a model. */
export const MODEL_FLAGS = {
  model: { type: 'string', short: 'm' },
  plugin: { type: 'string' },
  device: { type: 'string' },
  storage: { type: 'string' },
  'kv-cache': { type: 'string' },
} as const;

/** Help lines for {@link MODEL_FLAGS}. */
export const MODEL_FLAGS_HELP = `  -m, --model <m>     Model folder or Hub id (org/name, looked up in the Hugging Face cache)
  --plugin <name>     Plugin to use (default: the one whose architectures match config.json)
  --device <d>        cpu or gpu (default: chosen to fit)
  --storage <s>       Weight storage: float32, bfloat16, float16, int8, int4, q8_0, q4_k, q4_0 (default: chosen to fit)
  --kv-cache <t>      KV cache type: float32 (default, exact) or float16 (half the memory; ggml backend)`;
