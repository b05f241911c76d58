#!/usr/bin/env node
// The install lines, as users will type them: publishes every public package to a local registry and follows the docs.
//   1. builds what is stale and packs every public package (`pnpm pack` resolves `workspace:^` as `pnpm publish` does);
//   2. starts verdaccio in a temporary folder: its storage there, `@pio/*` served only from it (never proxied), every
//      other package proxied from the registry this machine uses (`npm config get registry`); publishes the tarballs;
//   3. in a fresh project pointed at that registry, runs every `npm install` line of README.md,
//      docs/getting-started.md and packages/cli/README.md that names an @pio package, verbatim as extracted from the
//      markdown (`-g` installs go to a temporary prefix), then type-checks and runs the samples of README.md and
//      docs/getting-started.md unchanged on the tiny models under models/ (`query-the-server.ts` against
//      `pio serve` from the global install);
//   4. `pio new plugin my-model` with that global `pio`, then the generated README's install, test and build line.
// Usage: node scripts/release-check.mjs [--keep]   (pnpm release-check)
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt } from './ensure-built.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const keep = process.argv.includes('--keep');
const QWEN = join(ROOT, 'models', 'qwen3vl-tiny-random');
const GLM = join(ROOT, 'models', 'glm47flash-tiny-random');
/** The documents whose `npm install` lines are checked, and (first two) whose samples are run. */
const INSTALL_DOCS = ['README.md', 'docs/getting-started.md', 'packages/cli/README.md'];
const SAMPLE_DOCS = ['README.md', 'docs/getting-started.md'];
/** Arguments of each sample (the samples take their model folder and image on the command line). */
export const SAMPLE_ARGS = {
  'first-generation.ts': () => [QWEN],
  'ask-about-an-image.ts': () => [QWEN, join(QWEN, 'image.png')],
  'chat-with-tools.ts': () => [GLM],
  'query-the-server.ts': (server) => [server.url, basename(QWEN)],
};

const started = Date.now();
const timings = [];
let phaseStart = Date.now();
const phase = (name) => {
  const now = Date.now();
  timings.push([name, (now - phaseStart) / 1000]);
  console.log(`release-check: ${name} (${((now - phaseStart) / 1000).toFixed(1)} s)`);
  phaseStart = now;
};

/** Runs `command` (a shell line when `args` is a string) and resolves to its output; rejects with the output on failure. */
function run(command, args, options = {}) {
  return new Promise((resolvePromise, reject) => {
    const shell = typeof args === 'string';
    const child = spawn(shell ? args : command, shell ? [] : args, { cwd: options.cwd, env: options.env ?? process.env, shell });
    let output = '';
    let stdout = '';
    child.stdout.on('data', (chunk) => ((stdout += chunk), (output += chunk)));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolvePromise({ stdout, output })
        : reject(new Error(`${shell ? args : `${command} ${args.join(' ')}`} (in ${options.cwd}) exited ${code}:\n${output.trim()}`)),
    );
  });
}

/** A free TCP port on 127.0.0.1. */
async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/** Waits until `url` answers (verdaccio's /-/ping). */
async function waitFor(url, child, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`verdaccio exited with ${child.exitCode}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/**
 * The `npm install` commands of a markdown file, in order: lines of sh blocks and inline code spans, without
 * trailing comments. Exported for the test of this script's extraction.
 */
export function npmInstallLines(markdown) {
  const found = [];
  const fences = /^```[^\n]*\n([\s\S]*?)^```/gm;
  for (const block of markdown.matchAll(/^```(?:sh|bash|shell|console)\n([\s\S]*?)^```/gm)) {
    for (const line of block[1].split('\n')) {
      const command = line
        .replace(/^\$\s+/, '')
        .replace(/\s+#.*$/, '')
        .trim();
      if (/^npm (install|i)\b/.test(command)) found.push({ index: block.index, command });
    }
  }
  for (const span of markdown.replace(fences, (m) => ' '.repeat(m.length)).matchAll(/`(npm (?:install|i) [^`]+)`/g)) {
    found.push({ index: span.index, command: span[1].trim() });
  }
  return found.sort((a, b) => a.index - b.index).map((f) => f.command);
}

/** The sample blocks (`<!-- example: file -->` before a fenced block) of a markdown file: `{ file, code }`. */
export function sampleBlocks(markdown) {
  return [...markdown.matchAll(/^<!-- example: (\S+) -->\n```\w*\n([\s\S]*?)^```/gm)].map((m) => ({ file: m[1], code: m[2] }));
}

const VERDACCIO_CONFIG = ({ storage, htpasswd, uplink }) => `# written by scripts/release-check.mjs
storage: ${JSON.stringify(storage)}
auth:
  htpasswd:
    file: ${JSON.stringify(htpasswd)}
    max_users: 10
uplinks:
  upstream:
    url: ${JSON.stringify(uplink)}
    timeout: 120s
packages:
  '@pio/*':
    access: $all
    publish: $authenticated
  '**':
    access: $all
    publish: $authenticated
    proxy: upstream
web:
  enable: false
max_body_size: 500mb
log: { type: stdout, format: pretty, level: error }
`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();

async function main() {
  const work = await mkdtemp(join(tmpdir(), 'pio-release-check-'));
  let registry;
  let server;
  // Ctrl-C or a CI timeout: stop the registry and the server too, and clean up
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      server?.kill('SIGKILL');
      registry?.kill('SIGKILL');
      if (!keep) rmSync(work, { recursive: true, force: true });
      process.exit(130);
    });
  }
  try {
    // 1. Build and pack.
    ensureBuilt(undefined, (stale) => console.log(`release-check: building ${stale.join(', ')}`));
    const tarballs = join(work, 'tarballs');
    await mkdir(tarballs, { recursive: true });
    const published = [];
    for (const folder of (await readdir(join(ROOT, 'packages'))).sort()) {
      const manifestPath = join(ROOT, 'packages', folder, 'package.json');
      if (!existsSync(manifestPath) || JSON.parse(await readFile(manifestPath, 'utf8')).private) continue;
      const before = new Set(await readdir(tarballs));
      await run('pnpm', ['pack', '--pack-destination', tarballs], { cwd: join(ROOT, 'packages', folder) });
      published.push(
        join(
          tarballs,
          (await readdir(tarballs)).find((f) => !before.has(f)),
        ),
      );
    }
    phase(`built and packed ${published.length} packages`);

    // 2. The registry.
    const uplink = (await run('npm', ['config', 'get', 'registry'], { cwd: ROOT })).stdout.trim();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/`;
    const config = join(work, 'verdaccio.yaml');
    await writeFile(config, VERDACCIO_CONFIG({ storage: join(work, 'storage'), htpasswd: join(work, 'htpasswd'), uplink }));
    registry = spawn(join(ROOT, 'node_modules', '.bin', 'verdaccio'), ['--config', config, '--listen', `127.0.0.1:${port}`], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    await waitFor(`${url}-/ping`, registry);
    const user = await fetch(`${url}-/user/org.couchdb.user:pio`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'pio', password: 'release-check' }),
    });
    const { token } = await user.json();
    if (!token) throw new Error(`verdaccio gave no token (HTTP ${user.status})`);
    // Installs go anonymously (verdaccio checks a token's password with bcrypt on every request); only publishing logs in.
    const npmrc = join(work, 'npmrc');
    await writeFile(npmrc, `registry=${url}\naudit=false\nfund=false\nupdate-notifier=false\n`);
    const publishNpmrc = join(work, 'npmrc-publish');
    await writeFile(publishNpmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`);
    const prefix = join(work, 'global');
    const env = {
      ...process.env,
      npm_config_userconfig: npmrc,
      npm_config_registry: url,
      npm_config_prefix: prefix,
      PATH: `${join(prefix, 'bin')}:${process.env.PATH}`,
      NO_COLOR: '1',
    };
    await Promise.all(
      published.map((tarball) => run('npm', ['publish', tarball, '--loglevel=error'], { cwd: work, env: { ...env, npm_config_userconfig: publishNpmrc } })),
    );
    phase(`verdaccio on ${url} (uplink ${uplink}); published ${published.map((t) => basename(t)).join(', ')}`);

    // 3. The docs' install lines, verbatim, in a fresh ES-module project (as docs/getting-started.md asks).
    const app = join(work, 'app');
    await mkdir(app, { recursive: true });
    await writeFile(join(app, 'package.json'), `${JSON.stringify({ name: 'app', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
    const skipped = [];
    for (const doc of INSTALL_DOCS) {
      for (const command of npmInstallLines(await readFile(join(ROOT, doc), 'utf8'))) {
        if (/\.\.\.|dist-packages/.test(command)) skipped.push(`${doc}: ${command} (install from a checkout, before a release)`);
        else if (!command.includes('@pio/')) skipped.push(`${doc}: ${command} (no @pio package)`);
        else {
          await run(null, command, { cwd: app, env });
          phase(`${doc}: ${command}`);
        }
      }
    }
    for (const line of skipped) console.log(`release-check: not run: ${line}`);

    // The samples, unchanged, type-checked and run with tsx (the check's own tools, not the docs').
    const samples = new Map();
    for (const doc of SAMPLE_DOCS) for (const { file, code } of sampleBlocks(await readFile(join(ROOT, doc), 'utf8'))) samples.set(basename(file), code);
    for (const [file, code] of samples) await writeFile(join(app, file), code);
    await writeFile(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'es2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        include: [...samples.keys()],
      }),
    );
    await run('npm', ['install', '--save-dev', '--loglevel=error', 'tsx@4', 'typescript@5.9', '@types/node@20'], { cwd: app, env });
    await run(join(app, 'node_modules', '.bin', 'tsc'), ['-p', '.'], { cwd: app, env });
    phase(`type-checked ${[...samples.keys()].join(', ')}`);
    const tsx = join(app, 'node_modules', '.bin', 'tsx');
    for (const [file] of samples) {
      const argsOf = SAMPLE_ARGS[file];
      if (!argsOf) throw new Error(`no arguments known for the sample ${file}: add it to SAMPLE_ARGS in scripts/release-check.mjs`);
      if (file === 'query-the-server.ts') {
        const serverPort = await freePort();
        server = spawn('pio', ['serve', '--model', QWEN, '--port', String(serverPort)], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let log = '';
        await new Promise((resolveListening, reject) => {
          server.stdout.on('data', (chunk) => (log += chunk));
          server.stderr.on('data', (chunk) => {
            log += chunk;
            if (log.includes('listening on')) resolveListening();
          });
          server.on('close', (code) => reject(new Error(`pio serve exited ${code}:\n${log}`)));
        });
        const { stdout } = await run(tsx, [file, ...argsOf({ url: `http://127.0.0.1:${serverPort}` })], { cwd: app, env });
        if (!/^answer: /m.test(stdout) || !/^streamed: /m.test(stdout)) throw new Error(`${file} printed:\n${stdout}`);
        server.kill('SIGTERM');
        await new Promise((r) => server.once('close', r));
        server = undefined;
      } else {
        const { stdout } = await run(tsx, [file, ...argsOf()], { cwd: app, env });
        if (stdout.trim() === '') throw new Error(`${file} printed nothing`);
      }
      phase(`ran ${file}`);
    }

    // 4. The scaffold's project, with the globally installed pio, from the registry.
    const scaffold = join(work, 'scaffold');
    await mkdir(scaffold, { recursive: true });
    await run('pio', ['new', 'plugin', 'my-model'], { cwd: scaffold, env });
    const plugin = join(scaffold, 'pio-plugin-my-model');
    const [steps] = npmInstallLines(await readFile(join(plugin, 'README.md'), 'utf8'));
    if (steps !== 'npm install && npm test && npm run build') throw new Error(`the scaffold's README starts with "${steps}"`);
    await run(null, steps, { cwd: plugin, env });
    phase(`pio new plugin my-model: ${steps}`);
    console.log(`release-check: passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    for (const [name, seconds] of timings) console.log(`  ${seconds.toFixed(1).padStart(6)} s  ${name}`);
  } finally {
    server?.kill('SIGKILL');
    if (registry) {
      registry.kill('SIGTERM');
      await new Promise((r) => (registry.exitCode !== null ? r() : registry.once('close', r)));
    }
    if (keep) console.log(`release-check: kept ${work}`);
    else await rm(work, { recursive: true, force: true });
  }
}
