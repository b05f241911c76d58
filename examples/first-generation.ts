// Your first generation: a prompt in, text out; then the same prompt streamed token by token.
// Arguments: <model folder>   (see docs/getting-started.md)
import { resolve } from 'node:path';
import { createBestBackend } from '@pio/backend-ggml';
import { createPluginManager, isTextModelPlugin } from '@pio/core';

const modelPath = resolve(process.argv[2] ?? 'models/Qwen3-VL-2B-Instruct');

// ggml when its native build loads, else the fastest TensorFlow.js engine; `reason` says which and why
const { backend, reason } = await createBestBackend();
console.error(reason);
const manager = createPluginManager({ backend, allowedRoots: [modelPath] });
await manager.discoverPlugins();

// Which installed plugin runs this model? (read from its config.json)
const found = await manager.findPluginForModel(modelPath);
if (found === undefined) throw new Error(`no installed plugin runs ${modelPath}`);
const model = await manager.activatePlugin(found.name, {
  modelPath,
  onProgress: (p) => process.stderr.write(`\r${p.phase} ${p.loaded}/${p.total ?? '?'}`),
});
if (!isTextModelPlugin(model)) throw new Error(`${found.name} does not generate text`);

// The whole answer at once (the prompt goes through the model's chat template as one user message).
const result = await model.generateText('Hello! How are you today?', { maxNewTokens: 12, temperature: 0 });
console.log(`\n${result.text}`);
console.log(`[${result.usage.promptTokens} prompt tokens, ${result.usage.completionTokens} new, finish: ${result.finishReason}]`);

// The same, streamed: each delta is the text of one or more new tokens.
let streamed = '';
for await (const delta of model.streamText('Hello! How are you today?', { maxNewTokens: 12, temperature: 0 })) {
  streamed += delta.text;
  process.stdout.write(delta.text);
}
process.stdout.write('\n');
console.log(streamed === result.text ? '[stream matches]' : '[stream differs]');

await manager.dispose();
backend.dispose();
