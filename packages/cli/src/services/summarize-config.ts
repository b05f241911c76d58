/** The config.json fields `pio info` shows (the text model's, for configs that nest a `text_config`). */
const FIELDS: ReadonlyArray<readonly [string, string]> = [
  ['hidden_size', 'hidden size'],
  ['num_hidden_layers', 'layers'],
  ['num_attention_heads', 'attention heads'],
  ['num_key_value_heads', 'kv heads'],
  ['head_dim', 'head dim'],
  ['intermediate_size', 'mlp size'],
  ['n_routed_experts', 'experts'],
  ['num_experts_per_tok', 'experts per token'],
  ['vocab_size', 'vocabulary'],
  ['max_position_embeddings', 'context'],
  ['rope_theta', 'rope theta'],
];

/** Selected config fields as label/value pairs, plus the dtype and whether a vision tower is present. */
export function summarizeConfig(config: Record<string, unknown>): Array<[string, string]> {
  const text = (typeof config.text_config === 'object' && config.text_config !== null ? config.text_config : config) as Record<string, unknown>;
  const rows: Array<[string, string]> = [];
  for (const [key, label] of FIELDS) {
    const value = text[key] ?? config[key];
    if (typeof value === 'number' || typeof value === 'string') rows.push([label, String(value)]);
  }
  const dtype = config.dtype ?? config.torch_dtype ?? text.dtype ?? text.torch_dtype;
  if (typeof dtype === 'string') rows.push(['dtype', dtype]);
  const vision = config.vision_config as Record<string, unknown> | undefined;
  if (vision) rows.push(['vision', `depth ${String(vision.depth ?? '?')}, hidden ${String(vision.hidden_size ?? '?')}`]);
  return rows;
}
