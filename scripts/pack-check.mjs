#!/usr/bin/env node
// Proves every publishable package works on its own, as npm users get it (run after `pnpm build`):
//   1. `pnpm pack` each package (pnpm rewrites `workspace:^` to the real version range);
//   2. check each tarball: no test files or fixtures, a README, the built entry points, no `workspace:` range left,
//      then `publint --strict` and `attw --profile esm-only` (types and exports for ESM consumers);
//   3. for each package, a fresh project that installs only its tarball (plus the tarballs of the @pio packages it
//      depends on) with npm, then imports every entry point of its `exports` with plain Node (no source condition).
//   4. with --plugin-guide: follow docs/writing-a-plugin.md with the packed packages: `pio new plugin my-model`,
//      `npm install && npm test && npm run build`, pack it, install it in an application next to @pio/cli, and check
//      that `pio list` finds it and `pio generate` runs it.
// Usage: node scripts/pack-check.mjs [--keep] [--plugin-guide] [--only <package-folder>]...
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'node_modules', '.bin');
const args = process.argv.slice(2);
const keep = args.includes('--keep');
const pluginGuide = args.includes('--plugin-guide');
const only = args.flatMap((arg, i) => (args[i - 1] === '--only' ? [arg] : []));
const started = Date.now();
const failures = [];

const log = (line) => console.log(`pack-check: ${line} (${Math.round((Date.now() - started) / 1000)}s)`);
const fail = (pkg, problem) => failures.push(`${pkg}: ${problem}`);

async function sh(command, argv, cwd, extraEnv = {}) {
  try {
    return await run(command, argv, { cwd, maxBuffer: 64 << 20, env: { ...process.env, ...extraEnv } });
  } catch (error) {
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
    throw new Error(`${command} ${argv.join(' ')} (in ${cwd}) failed:\n${output || error.message}`);
  }
}

/** Runs `fn` over `items`, `limit` at a time. */
async function pool(items, limit, fn) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      while (queue.length > 0) await fn(queue.shift());
    }),
  );
}

/** Publishable workspace packages: folder, package.json. */
async function workspacePackages() {
  const out = [];
  for (const folder of (await readdir(join(ROOT, 'packages'))).sort()) {
    const file = join(ROOT, 'packages', folder, 'package.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(await readFile(file, 'utf8'));
    if (manifest.private || (only.length > 0 && !only.includes(folder))) continue;
    out.push({ folder, dir: join(ROOT, 'packages', folder), manifest });
  }
  return out;
}

/** Every subpath of `exports` that is an importable module (not `./package.json`). */
function entrySpecifiers(manifest) {
  const exportsField = manifest.exports ?? { '.': manifest.main };
  return Object.keys(exportsField)
    .filter((key) => key !== './package.json' && !key.includes('*'))
    .map((key) => (key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`));
}

/** Checks a tarball's file list and packed package.json. */
async function checkTarball(pkg, tarball) {
  const { stdout } = await sh('tar', ['-tzf', tarball], ROOT);
  const files = stdout
    .split('\n')
    .filter(Boolean)
    .map((f) => f.replace(/^package\//, ''));
  const devFiles = files.filter((f) => /\.test\.[cm]?[jt]sx?$/.test(f) || f.includes('__fixtures__') || f.includes('/testing/fixtures/'));
  if (devFiles.length > 0) fail(pkg.folder, `dev files in the tarball: ${devFiles.slice(0, 5).join(', ')}${devFiles.length > 5 ? ', ...' : ''}`);
  if (!files.includes('README.md')) fail(pkg.folder, 'no README.md in the tarball (add one to the package folder)');
  if (!files.includes('package.json')) fail(pkg.folder, 'no package.json in the tarball');
  const { stdout: packed } = await sh('tar', ['-xzOf', tarball, 'package/package.json'], ROOT);
  const manifest = JSON.parse(packed);
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [name, range] of Object.entries(manifest[field] ?? {})) {
      if (String(range).startsWith('workspace:')) fail(pkg.folder, `${field}.${name} is still "${range}" (publish with pnpm)`);
    }
  }
  for (const [key, target] of Object.entries(manifest.exports ?? {})) {
    const paths =
      typeof target === 'string'
        ? [target]
        : Object.entries(target)
            .filter(([c]) => c !== '@pio/source')
            .map(([, p]) => p);
    for (const path of paths)
      if (!files.includes(path.replace(/^\.\//, ''))) fail(pkg.folder, `exports["${key}"] points to ${path}, missing from the tarball (run pnpm build)`);
  }
  return { files, manifest };
}

async function lint(pkg, tarball) {
  try {
    await sh(join(BIN, 'publint'), ['run', tarball, '--strict', '--level', 'warning'], ROOT);
  } catch (error) {
    fail(pkg.folder, `publint: ${error.message}`);
  }
  try {
    await sh(join(BIN, 'attw'), [tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-emoji', '--no-color'], ROOT);
  } catch (error) {
    fail(pkg.folder, `attw: ${error.message}`);
  }
}

/** The @pio packages `name` needs, itself included (from the packed manifests). */
function closure(name, packed) {
  const seen = new Set();
  const visit = (n) => {
    if (seen.has(n) || !packed.has(n)) return;
    seen.add(n);
    const manifest = packed.get(n).manifest;
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) visit(dep);
  };
  visit(name);
  return [...seen];
}

/** A fresh npm project with only `pkg` (and its @pio dependencies) installed; imports every entry point. */
async function installAndImport(pkg, packed, work) {
  const project = join(work, 'projects', pkg.folder);
  await mkdir(project, { recursive: true });
  const dependencies = Object.fromEntries(closure(pkg.manifest.name, packed).map((n) => [n, `file:${packed.get(n).tarball}`]));
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: `pack-check-${pkg.folder}`, private: true, type: 'module', dependencies }, null, 2));
  try {
    await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', '--loglevel=error'], project);
  } catch (error) {
    fail(pkg.folder, `npm install: ${error.message}`);
    return;
  }
  // Import each entry point with plain Node. An entry that needs an optional peer dependency (vitest for
  // @pio/core/testing/conformance) gets it installed, as its users would, and is imported again.
  const optionalPeers = Object.entries(pkg.manifest.peerDependenciesMeta ?? {})
    .filter(([, meta]) => meta?.optional)
    .map(([name]) => name);
  for (const specifier of entrySpecifiers(pkg.manifest)) {
    const script = `const m = await import(${JSON.stringify(specifier)}); if (Object.keys(m).length === 0) throw new Error('exports nothing');`;
    const tryImport = () => sh(process.execPath, ['--input-type=module', '-e', script], project);
    try {
      await tryImport();
    } catch (error) {
      const peer = optionalPeers.find((name) => error.message.includes(`Cannot find package '${name}'`));
      if (peer === undefined) {
        fail(pkg.folder, `import ${specifier}: ${error.message}`);
        continue;
      }
      try {
        await sh(
          'npm',
          [
            'install',
            '--no-save',
            '--no-audit',
            '--no-fund',
            '--prefer-offline',
            '--no-package-lock',
            '--loglevel=error',
            `${peer}@${pkg.manifest.peerDependencies[peer]}`,
          ],
          project,
        );
        await tryImport();
      } catch (retryError) {
        fail(pkg.folder, `import ${specifier} (with optional peer ${peer}): ${retryError.message}`);
      }
    }
  }
  for (const [bin, path] of Object.entries(typeof pkg.manifest.bin === 'string' ? { [pkg.manifest.name]: pkg.manifest.bin } : (pkg.manifest.bin ?? {}))) {
    try {
      const { stdout } = await sh(join(project, 'node_modules', '.bin', bin), ['--version'], project);
      if (stdout.trim() !== pkg.manifest.version) fail(pkg.folder, `${bin} --version printed "${stdout.trim()}", expected ${pkg.manifest.version} (${path})`);
    } catch (error) {
      fail(pkg.folder, `${bin} --version: ${error.message}`);
    }
  }
}

/** A model folder for the scaffolded plugin: greedy decoding counts up the vocabulary ("w0 w2" → "w3 w4 w5 w6"). */
const WRITE_MY_MODEL = `
import { mkdirSync, writeFileSync } from 'node:fs';
import { encodeHostTensor, writeSafetensors } from '@pio/core/weights';
const words = ['w0', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6'];
const n = words.length + 1;
const embed = new Float32Array(n * n), head = new Float32Array(n * n);
for (let i = 0; i < n; i++) { embed[i * n + i] = 1; head[((i + 1) % n) * n + i] = 1; }
mkdirSync('models/my-model', { recursive: true });
await writeSafetensors('models/my-model/model.safetensors', {
  'model.embed_tokens.weight': encodeHostTensor(embed, [n, n], 'F32'),
  'model.norm.weight': encodeHostTensor(new Float32Array(n).fill(1), [n], 'F32'),
  'lm_head.weight': encodeHostTensor(head, [n, n], 'F32'),
});
const vocab = Object.fromEntries([...words, '<eos>'].map((w, id) => [w, id]));
writeFileSync('models/my-model/tokenizer.json', JSON.stringify({ version: '1.0',
  added_tokens: [{ id: n - 1, content: '<eos>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }],
  normalizer: null, pre_tokenizer: { type: 'WhitespaceSplit' }, post_processor: null,
  decoder: { type: 'WordPiece', prefix: '##', cleanup: true }, model: { type: 'WordLevel', vocab, unk_token: '<eos>' } }));
writeFileSync('models/my-model/tokenizer_config.json', JSON.stringify({ eos_token: '<eos>' }));
writeFileSync('models/my-model/config.json', JSON.stringify({ architectures: ['MyModelForCausalLM'], model_type: 'my_model', hidden_size: n, vocab_size: n, rms_norm_eps: 1e-6 }));
`;

/** docs/writing-a-plugin.md, steps 1 and 8, with the packed packages instead of the registry's. */
async function followPluginGuide(packed, work) {
  const tarball = (name) => packed.get(name).tarball;
  const guide = join(work, 'plugin-guide');
  const tools = join(guide, 'tools');
  await mkdir(tools, { recursive: true });
  // @pio/cli and every internal package it depends on (core, the backends), from their tarballs.
  const cliDependencies = Object.fromEntries(closure('@pio/cli', packed).map((n) => [n, `file:${tarball(n)}`]));
  await writeFile(join(tools, 'package.json'), JSON.stringify({ private: true, dependencies: cliDependencies }));
  await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', '--loglevel=error'], tools);
  const pio = join(tools, 'node_modules', '.bin', 'pio');
  // 1. Create the package, install, test, build (only @pio/core comes from a tarball instead of the registry).
  await sh(pio, ['new', 'plugin', 'my-model', '--core', `file:${tarball('@pio/core')}`], guide);
  const plugin = join(guide, 'pio-plugin-my-model');
  await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], plugin);
  const tests = await sh('npm', ['test'], plugin, { NO_COLOR: '1' });
  if (!/Tests\s+\d+ passed/.test(tests.stdout) || /failed/.test(tests.stdout)) fail('plugin-guide', `npm test of the new plugin:\n${tests.stdout}`);
  await sh('npm', ['run', 'build'], plugin);
  const { stdout: packOut } = await sh('npm', ['pack', '--pack-destination', guide], plugin);
  const pluginTarball = join(guide, packOut.trim().split('\n').at(-1));
  // 8. An application with the CLI and the plugin installed, and a model folder.
  const app = join(guide, 'app');
  await mkdir(app, { recursive: true });
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({ private: true, type: 'module', dependencies: { ...cliDependencies, 'pio-plugin-my-model': `file:${pluginTarball}` } }),
  );
  await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--no-package-lock', '--loglevel=error'], app);
  await sh(process.execPath, ['--input-type=module', '-e', WRITE_MY_MODEL], app);
  const appPio = join(app, 'node_modules', '.bin', 'pio');
  const listed = await sh(appPio, ['list'], app, { NO_COLOR: '1' });
  if (!/my-model\s+0\.1\.0\s+text\s+text\s+MyModelForCausalLM\s+pio-plugin-my-model/.test(listed.stdout))
    fail('plugin-guide', `pio list does not show my-model:\n${listed.stdout}`);
  const generated = await sh(appPio, ['generate', '--model', 'models/my-model', '--raw', '--temperature', '0', '--quiet', 'w0 w2'], app, {
    NO_COLOR: '1',
    PIO_TRUST: 'pio-plugin-my-model',
  });
  if (generated.stdout.trim() !== 'w3 w4 w5 w6') fail('plugin-guide', `pio generate printed "${generated.stdout.trim()}", expected "w3 w4 w5 w6"`);
}

const work = await mkdtemp(join(tmpdir(), 'pio-pack-check-'));
try {
  const packages = await workspacePackages();
  const missingBuild = packages.filter((pkg) => !existsSync(join(pkg.dir, 'dist')));
  if (missingBuild.length > 0) throw new Error(`not built: ${missingBuild.map((p) => p.folder).join(', ')}. Run \`pnpm build\` first.`);
  const tarballs = join(work, 'tarballs');
  await mkdir(tarballs, { recursive: true });
  const packed = new Map();
  for (const pkg of packages) {
    const before = new Set(await readdir(tarballs));
    await sh('pnpm', ['pack', '--pack-destination', tarballs], pkg.dir);
    const tarball = join(
      tarballs,
      (await readdir(tarballs)).find((f) => !before.has(f)),
    );
    packed.set(pkg.manifest.name, { tarball, ...(await checkTarball(pkg, tarball)) });
  }
  log(`packed ${packages.length} packages`);
  const tasks = packages.flatMap((pkg) => [() => installAndImport(pkg, packed, work), () => lint(pkg, packed.get(pkg.manifest.name).tarball)]);
  if (pluginGuide) {
    const needed = ['@pio/core', '@pio/backend-tfjs', '@pio/backend-ggml', '@pio/cli'].filter((name) => !packed.has(name));
    if (needed.length > 0) throw new Error(`--plugin-guide needs ${needed.join(', ')} (drop --only)`);
    tasks.unshift(async () => {
      await followPluginGuide(packed, work).catch((error) => fail('plugin-guide', error.message));
      log('followed docs/writing-a-plugin.md with the packed packages');
    });
  }
  await pool(tasks, 3, (task) => task());
  log('publint, attw, install and import done');
} finally {
  if (keep) console.log(`pack-check: kept ${work}`);
  else await rm(work, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`pack-check: ${failures.length} problem(s):\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.exit(1);
}
log('all packages pass');
