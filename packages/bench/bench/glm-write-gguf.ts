// Writes a GLM-4.7-Flash folder as llama.cpp deepseek2 GGUF files (the side-by-side benchmark's writer), one per storage.
// With --random, only the folder's config.json is read: the tensors come from the random checkpoint the GLM package
// bench writes (bench/random-checkpoint.ts, generated per tensor name), so the GGUF holds the same weights as that
// folder's safetensors without them having to be on disk (a 47-layer BF16 folder is 56 GiB).
// Usage: glm-write-gguf.ts <folder> <outDir> <storage,...> [--random]
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGgmlRowEncoder } from '@pio/backend-ggml';
import { parseGlmFlashConfig } from '../../plugin-glm-flash/src/glm-flash-config.js';
import { createRandomGlmCheckpoint } from '../../plugin-glm-flash/bench/random-checkpoint.js';
import { openGlmFolder } from '../src/open-glm-folder.js';
import { writeGlmGguf, type GlmGgufConfig } from '../src/write-glm-gguf.js';
const [folder, outDir, storages, mode] = process.argv.slice(2);
const glm = await openGlmFolder(folder);
if (!glm) throw new Error(`${folder} is not a GLM-4.7-Flash folder`);
const encoder = await createGgmlRowEncoder();
const json = JSON.parse(await readFile(join(folder, 'config.json'), 'utf8'));
for (const storage of storages.split(',')) {
  const path = join(outDir, `${glm.shape.name}-${storage}.gguf`);
  if (mode === '--random') await writeGlmGguf(encoder, path, createRandomGlmCheckpoint(parseGlmFlashConfig(json)), json as GlmGgufConfig, storage as never);
  else await glm.writeGguf(encoder, path, storage as never);
  console.log('wrote', path);
}
