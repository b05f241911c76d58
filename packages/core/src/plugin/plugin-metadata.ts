import { z } from 'zod';
import { TRUST_LEVELS } from './trust-level.js';

/** Input or output kinds a model handles. */
export const modalitySchema = z.enum(['text', 'image', 'audio', 'video']);

/** A modality: `text`, `image`, `audio` or `video`. */
export type Modality = z.infer<typeof modalitySchema>;

/** zod schema of {@link ModelPluginMetadata}. */
export const modelPluginMetadataSchema = z.object({
  /** Plugin name used to activate it, e.g. `qwen3-vl`. Lowercase letters, digits and dashes. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
  /** Plugin version (semver). */
  version: z.string().min(1),
  /** One-line description. */
  description: z.string(),
  /** Hugging Face `architectures` values the plugin runs, e.g. `Qwen3VLForConditionalGeneration`. */
  architectures: z.array(z.string()).min(1),
  /** Hugging Face `model_type` values the plugin runs, e.g. `qwen3_vl`. */
  modelTypes: z.array(z.string()).min(1),
  /** What goes in and what comes out. */
  modalities: z.object({ input: z.array(modalitySchema).min(1), output: z.array(modalitySchema).min(1) }),
  /** SPDX license of the plugin code. */
  license: z.string(),
  /** Lowest trust level the plugin needs to be activated. */
  requiredTrust: z.enum(TRUST_LEVELS as [string, ...string[]]).default('sandboxed'),
  /** Plugin homepage or repository. */
  homepage: z.string().optional(),
});

/** Descriptive metadata every plugin carries (validated with {@link modelPluginMetadataSchema}). */
export type ModelPluginMetadata = z.output<typeof modelPluginMetadataSchema>;
