import { Qwen3VLPlugin } from './qwen3-vl-plugin.js';
import type { Qwen3VLPluginOptions } from './qwen3-vl-plugin-options.js';

/** Creates a new Qwen3-VL plugin instance (the factory named in the package's `pio` manifest). */
export function createQwen3VLPlugin(options: Qwen3VLPluginOptions = {}): Qwen3VLPlugin {
  return new Qwen3VLPlugin(options);
}
