// Use a third-party plugin from your own project: install it, trust it, run it.
// Setup: @pio/core, @pio/backend-tfjs and the package of examples/third-party-plugin in node_modules; a model in models/char-shift.
import { createTfjsBackend } from '@pio/backend-tfjs';
import { createPluginManager } from '@pio/core';

const backend = await createTfjsBackend();
const manager = createPluginManager({
  backend,
  // Packages outside @pio/* are untrusted (never activated) until you give them a level.
  trustPolicy: { packages: { 'pio-plugin-char-shift': 'sandboxed' } },
  allowedRoots: ['models'], // sandboxed plugins read only model folders under ./models
});

const { plugins, errors } = await manager.discoverPlugins(); // every package with the "pio-plugin" keyword
for (const plugin of plugins) console.log(`found ${plugin.manifest.name} ${plugin.version} (${plugin.packageName})`);
for (const error of errors) console.warn(`skipped: ${error.message}`);

await manager.activatePlugin('char-shift', { modelPath: 'models/char-shift' });
console.log(await manager.executePlugin('char-shift', 'HAL'));

await manager.dispose();
backend.dispose();
