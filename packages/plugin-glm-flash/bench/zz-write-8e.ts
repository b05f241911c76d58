import { parseGlmFlashConfig } from '../src/glm-flash-config.js';
import { REAL_GLM47_FLASH_CONFIG } from '../src/real-config.js';
import { writeRandomCheckpoint } from './random-checkpoint.js';
const layers = Number(process.argv[2]);
const json = { ...REAL_GLM47_FLASH_CONFIG, num_hidden_layers: layers, n_routed_experts: 8, mlp_layer_types: undefined };
delete (json as Record<string, unknown>).mlp_layer_types;
await writeRandomCheckpoint(`/tmp/glm8e/model-${layers}l`, parseGlmFlashConfig(json), json);
