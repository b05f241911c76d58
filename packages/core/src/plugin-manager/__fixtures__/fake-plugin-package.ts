import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

/**
 * The code of a tiny PIO text plugin package, as plain ESM JavaScript (what a published package ships). Its
 * `generateText` answers `<storage>|<prompt>|<images>|<maxNewTokens>` so tests can see what reached the plugin.
 * Each instance records its calls in `globalThis.__pioFakeCalls[<name>]`.
 */
export function fakePluginSource(options: { name: string; exportName: string; specificationVersion?: string }): string {
  return `
export function ${options.exportName}() {
  const calls = ((globalThis.__pioFakeCalls ??= {})[${JSON.stringify(options.name)}] ??= []);
  let state;
  return {
    specificationVersion: ${JSON.stringify(options.specificationVersion ?? 'v1')},
    kind: 'text',
    metadata: {
      name: ${JSON.stringify(options.name)}, version: '1.0.0', description: 'Echoes its prompt.',
      architectures: ['EchoForCausalLM'], modelTypes: ['echo'],
      modalities: { input: ['text', 'image'], output: ['text'] }, license: 'MIT',
    },
    async initialize(opts) { calls.push('initialize'); state = { validatePath: opts.validatePath, engine: opts.backend.engine }; },
    supportsConfig(config) { return config?.model_type === 'echo'; },
    estimateMemory(config, storage) {
      const perParameter = { float32: 4, bfloat16: 2, float16: 2, int8: 1, int4: 0.5 }[storage] ?? 4;
      const weightBytes = config.num_parameters * perParameter;
      return { storage, parameters: config.num_parameters, weightBytes, runtimeBytes: 1000, contextLength: 128, totalBytes: weightBytes + 1000 };
    },
    async loadModel(opts) {
      calls.push('loadModel');
      // a well-behaved plugin checks every path it opens
      const configPath = await state.validatePath(opts.modelPath + '/config.json');
      opts.onProgress?.({ phase: 'ready', loaded: 1, total: 1 });
      state.model = { storage: opts.storage, configPath };
    },
    async infer(input) { return { echoed: input }; },
    async generateText(prompt, opts = {}) {
      const text = [state.model.storage, prompt, (opts.images ?? []).join(','), String(opts.maxNewTokens)].join('|');
      return { text, tokens: [], finishReason: 'stop', usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 } };
    },
    async cleanup() { calls.push('cleanup'); if (state) state.model = undefined; },
  };
}
`;
}

/** Options of {@link writeFakePluginPackage}. */
export interface FakePluginPackageOptions {
  /** npm package name, e.g. `@acme/pio-plugin-echo`. */
  packageName: string;
  /** Plugin name. Default `echo`. */
  name?: string;
  /** Package version. Default `1.0.0`. */
  version?: string;
  /** Spec version the code declares. Default `v1`. */
  runtimeSpecificationVersion?: string;
  /** Fields merged over the default `pio` manifest (`null` removes the field). */
  pio?: Record<string, unknown>;
  /** package.json keywords. Default `["pio-plugin"]`. */
  keywords?: string[];
}

/** Writes a fake plugin package (package.json with keywords and `pio`, and `index.js`) into `dir`. */
export async function writeFakePluginPackage(dir: string, options: FakePluginPackageOptions): Promise<void> {
  const name = options.name ?? 'echo';
  const pio: Record<string, unknown> = {
    manifestVersion: 1,
    specificationVersion: 'v1',
    name,
    entry: './index.js',
    export: 'createEchoPlugin',
    description: 'Echoes its prompt.',
    architectures: ['EchoForCausalLM'],
    modelTypes: ['echo'],
    modalities: { input: ['text', 'image'], output: ['text'] },
    license: 'MIT',
    requiredTrust: 'sandboxed',
  };
  for (const [key, value] of Object.entries(options.pio ?? {})) {
    if (value === null) delete pio[key];
    else pio[key] = value;
  }
  await mkdir(dir, { recursive: true });
  const packageJson = {
    name: options.packageName,
    version: options.version ?? '1.0.0',
    type: 'module',
    keywords: options.keywords ?? ['pio-plugin'],
    pio,
  };
  await writeFile(join(dir, 'package.json'), JSON.stringify(packageJson, null, 2));
  await writeFile(
    join(dir, 'index.js'),
    fakePluginSource({ name, exportName: 'createEchoPlugin', specificationVersion: options.runtimeSpecificationVersion }),
  );
}

/** Installs a fake plugin package the plain npm way: `<project>/node_modules/<packageName>`. Returns its folder. */
export async function installPlain(project: string, options: FakePluginPackageOptions): Promise<string> {
  const dir = join(project, 'node_modules', options.packageName);
  await writeFakePluginPackage(dir, options);
  return dir;
}

/**
 * Installs a fake plugin package the pnpm way: the files in `node_modules/.pnpm/<name>@<version>/node_modules/<name>`
 * (scoped `/` written `+`) and, when `link` is true, a relative symlink `node_modules/<name>` to it. Returns the real folder.
 */
export async function installPnpm(project: string, options: FakePluginPackageOptions, link = true): Promise<string> {
  const storeEntry = `${options.packageName.replace('/', '+')}@${options.version ?? '1.0.0'}`;
  const real = join(project, 'node_modules', '.pnpm', storeEntry, 'node_modules', options.packageName);
  await writeFakePluginPackage(real, options);
  if (link) {
    const linkPath = join(project, 'node_modules', options.packageName);
    await mkdir(dirname(linkPath), { recursive: true });
    await symlink(relative(dirname(linkPath), real), linkPath, 'dir');
  }
  return real;
}

/** Writes a model folder with a `config.json` for the fake plugin. Returns the folder. */
export async function writeEchoModel(dir: string, config: Record<string, unknown> = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify({ architectures: ['EchoForCausalLM'], model_type: 'echo', num_parameters: 1000, ...config }),
  );
  return dir;
}

/** Calls recorded by fake plugin instances named `name`. */
export function fakeCalls(name: string): string[] {
  const all = ((globalThis as Record<string, unknown>).__pioFakeCalls ??= {}) as Record<string, string[]>;
  return (all[name] ??= []);
}
