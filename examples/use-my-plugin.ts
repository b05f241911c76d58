// Run your own plugin from an application, once it is installed (npm install pio-plugin-my-model).
// Arguments: models/my-model   (see docs/writing-a-plugin.md)
import { createTfjsBackend } from '@pio/backend-tfjs';
import { createPluginManager, isTextModelPlugin } from '@pio/core';

const modelPath = process.argv[2] ?? 'models/my-model'; // a folder under the working folder (the default allowed root)

const backend = await createTfjsBackend();
const manager = createPluginManager({
  backend,
  trustPolicy: { packages: { 'pio-plugin-my-model': 'sandboxed' } }, // trust your package: others stay untrusted
});
await manager.discoverPlugins();
for (const info of manager.listPlugins()) console.log(`plugin ${info.name} ${info.version}: ${info.trustLevel}`);

const found = await manager.findPluginForModel(modelPath); // matched by config.json's model_type
console.log(`${modelPath} runs with ${found?.name}`);
const model = await manager.activatePlugin('my-model', { modelPath });
if (!isTextModelPlugin(model)) throw new Error('my-model generates text');

const result = await model.generateText('w0 w2', { chat: false, temperature: 0, maxNewTokens: 8 });
console.log(`${result.text} (${result.finishReason})`);

await manager.dispose();
backend.dispose();
