import { z } from 'zod';
import { modelPluginMetadataSchema } from './plugin-metadata.js';

/** The keyword that marks an npm package as a PIO plugin (in its package.json `keywords`). */
export const PLUGIN_PACKAGE_KEYWORD = 'pio-plugin';

/** A path relative to the package folder, starting with `./`, with no `..` segment. */
const modulePathSchema = z.string().refine((s) => s.startsWith('./') && s.length > 2 && !s.split(/[\\/]/).includes('..'), {
  message: 'a path inside the package starting with "./" (no ".." segments)',
});

/**
 * zod schema of the `pio` field of a plugin package's package.json: the plugin's static description, read at
 * discovery without importing any code. The version is the package's own `version`.
 *
 * ```json
 * "keywords": ["pio-plugin"],
 * "pio": {
 *   "manifestVersion": 1, "specificationVersion": "v1", "name": "qwen3-vl",
 *   "entry": "./dist/index.js", "source": "./src/index.ts", "export": "createQwen3VLPlugin",
 *   "description": "...", "architectures": ["Qwen3VLForConditionalGeneration"], "modelTypes": ["qwen3_vl"],
 *   "modalities": { "input": ["text", "image"], "output": ["text"] }, "license": "Apache-2.0", "requiredTrust": "sandboxed"
 * }
 * ```
 */
export const pluginManifestSchema = modelPluginMetadataSchema.omit({ version: true }).extend({
  /** Version of this manifest format. */
  manifestVersion: z.literal(1),
  /** Plugin spec version the code implements (`PLUGIN_SPEC_VERSION`); other versions are refused. */
  specificationVersion: z.string().min(1),
  /** The built ESM module, relative to the package folder, e.g. `./dist/index.js`. */
  entry: modulePathSchema,
  /**
   * The TypeScript source of the same module, e.g. `./src/index.ts`. Used instead of `entry` when the loader is
   * told to prefer sources (workspace development, tests) or when `entry` has not been built.
   */
  source: modulePathSchema.optional(),
  /** Name of the factory the entry exports: `(options?) => ModelPluginInterface`. */
  export: z.string().refine((s) => /^[A-Za-z_$][\w$]*$/.test(s), { message: 'a JavaScript identifier' }),
});

/** A validated plugin manifest (see {@link pluginManifestSchema}). */
export type PluginManifest = z.output<typeof pluginManifestSchema>;

/** A plugin manifest as written in package.json (fields with defaults may be left out). */
export type PluginManifestInput = z.input<typeof pluginManifestSchema>;
