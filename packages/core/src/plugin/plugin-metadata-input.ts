import type { z } from 'zod';
import type { modelPluginMetadataSchema } from './plugin-metadata.js';

/** {@link ModelPluginMetadata} as written by hand (fields with defaults, such as `requiredTrust`, may be left out). */
export type ModelPluginMetadataInput = z.input<typeof modelPluginMetadataSchema>;
