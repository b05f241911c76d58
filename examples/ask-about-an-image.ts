// Ask Qwen3-VL a question about an image.
// Arguments: <model folder> <image>   (see docs/getting-started.md)
import { createBestBackend } from '@pio/backend-ggml';
import { createPluginManager, isTextModelPlugin } from '@pio/core';
import { resolve } from 'node:path';

const modelPath = resolve(process.argv[2] ?? 'models/Qwen3-VL-2B-Instruct');
const imagePath = resolve(process.argv[3] ?? 'cat.png');

// ggml when its native build loads, else the fastest TensorFlow.js engine; `reason` says which and why
const { backend, reason } = await createBestBackend();
console.error(reason);
const manager = createPluginManager({
  backend,
  allowedRoots: [modelPath, imagePath], // plugins may read only these paths
});
await manager.discoverPlugins(); // finds installed packages with the "pio-plugin" keyword

const qwen = await manager.activatePlugin('qwen3-vl', { modelPath });
if (!isTextModelPlugin(qwen)) throw new Error('qwen3-vl is a text plugin');

const answer = await qwen.chatCompletion({
  messages: [
    {
      role: 'user',
      content: [
        { type: 'image', image: imagePath },
        { type: 'text', text: 'Describe this image.' },
      ],
    },
  ],
  maxNewTokens: 16,
  temperature: 0,
});
console.log(answer.message.content);
console.log(`(${answer.usage.promptTokens} prompt tokens, ${answer.usage.completionTokens} new, finish: ${answer.finishReason})`);

await manager.dispose();
backend.dispose();
