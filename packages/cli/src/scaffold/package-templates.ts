import type { PluginNames } from './plugin-names.js';

/** package.json, tsconfig files, README and .gitignore of a new plugin package. */
export function packageTemplates(n: PluginNames, coreSpec: string): Record<string, string> {
  const packageJson = {
    name: n.packageName,
    version: '0.1.0',
    description: `PIO plugin for ${n.pascal} models.`,
    license: 'Apache-2.0',
    type: 'module',
    keywords: ['pio-plugin', 'pio', n.name],
    engines: { node: '>=20' },
    exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' }, './package.json': './package.json' },
    main: './dist/index.js',
    types: './dist/index.d.ts',
    files: ['dist', 'README.md'],
    scripts: { build: 'tsc -p tsconfig.build.json', 'type-check': 'tsc --noEmit', test: 'vitest run' },
    dependencies: { '@pio/core': coreSpec, zod: '^4.1.0' },
    devDependencies: { '@types/node': '^20.19.0', typescript: '^5.9.0', vitest: '^4.0.0' },
    pio: {
      manifestVersion: 1,
      specificationVersion: 'v1',
      name: n.name,
      entry: './dist/index.js',
      source: './src/index.ts',
      export: `create${n.pascal}Plugin`,
      description: `${n.pascal} language models.`,
      architectures: [n.architecture],
      modelTypes: [n.modelType],
      modalities: { input: ['text'], output: ['text'] },
      license: 'Apache-2.0',
      requiredTrust: 'sandboxed',
    },
  };
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      types: ['node'],
      strict: true,
      declaration: true,
      sourceMap: true,
      outDir: 'dist',
      rootDir: 'src',
      skipLibCheck: true,
      verbatimModuleSyntax: true,
      isolatedModules: true,
    },
    include: ['src'],
  };
  const tsconfigBuild = { extends: './tsconfig.json', exclude: ['src/**/*.test.ts'] };
  return {
    'package.json': `${JSON.stringify(packageJson, null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify(tsconfig, null, 2)}\n`,
    'tsconfig.build.json': `${JSON.stringify(tsconfigBuild, null, 2)}\n`,
    '.gitignore': 'node_modules\ndist\n',
    'vitest.config.ts': "import { defineConfig } from 'vitest/config';\n\nexport default defineConfig({ test: { include: ['src/**/*.test.ts'] } });\n",
    'README.md': `# ${n.packageName}

A [PIO](https://www.npmjs.com/package/@pio/core) plugin for \`${n.architecture}\` checkpoints (\`model_type: "${n.modelType}"\`).

\`\`\`sh
npm install && npm test && npm run build
pio list                                   # shows "${n.name}" once installed next to @pio/cli
pio generate --model ./${n.name}-checkpoint "Hello"
\`\`\`

- \`src/${n.name}-config.ts\`: the config.json schema (zod) and the camelCase config.
- \`src/${n.name}-model.ts\`: the network over PIO's building blocks (\`@pio/core/nn\`); a \`CausalLM\`.
- \`src/${n.name}-plugin.ts\`: the plugin (\`TextModelPluginInterface\`); text and chat come from
  \`createTextModelRuntime\`.
- \`src/${n.name}-plugin.test.ts\`: builds a tiny checkpoint and checks the logits and greedy generation.

The \`pio\` field of package.json is the manifest PIO reads at discovery (keyword \`pio-plugin\`).
`,
  };
}
