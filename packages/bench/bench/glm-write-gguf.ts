// Writes a GLM-4.7-Flash folder as llama.cpp deepseek2 GGUF files (the side-by-side benchmark's writer), one per storage.
// Usage: glm-write-gguf.ts <folder> <outDir> <storage,...>
import { join } from 'node:path';
import { createGgmlRowEncoder } from '@pio/backend-ggml';
import { openGlmFolder } from '../src/open-glm-folder.js';
const [folder, outDir, storages] = process.argv.slice(2);
const glm = await openGlmFolder(folder);
if (!glm) throw new Error(`${folder} is not a GLM-4.7-Flash folder`);
const encoder = await createGgmlRowEncoder();
for (const storage of storages.split(',')) {
  const path = join(outDir, `${glm.shape.name}-${storage}.gguf`);
  await glm.writeGguf(encoder, path, storage as never);
  console.log('wrote', path);
}
