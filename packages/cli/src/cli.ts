#!/usr/bin/env node
import { createRequire } from 'node:module';
import { runCli } from './run-cli.js';
import { createDefaultServices } from './services/create-default-services.js';
import type { CliIo } from './commands/command.js';

const interruptListeners: Array<() => void> = [];
let stop: (signal: string) => void = () => undefined;
const stopRequested = new Promise<string>((resolve) => (stop = resolve));
let stopping = false;
let stopWatched = false;

process.on('SIGINT', () => {
  const listener = interruptListeners.at(-1);
  if (listener) return listener();
  if (stopping) process.exit(130); // a second signal: stop at once
  stopping = true;
  stop('SIGINT');
  // Commands that do not wait for a stop request end here.
  if (!stopWatched) process.exit(130);
});
process.on('SIGTERM', () => {
  if (stopping) process.exit(143); // a second signal: stop at once
  stopping = true;
  stop('SIGTERM');
  if (!stopWatched) process.exit(143);
});

const io: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
  onInterrupt(listener) {
    interruptListeners.push(listener);
    return () => {
      const index = interruptListeners.lastIndexOf(listener);
      if (index >= 0) interruptListeners.splice(index, 1);
    };
  },
  exit(code) {
    process.exit(code);
  },
  get stopRequested() {
    stopWatched = true;
    return stopRequested;
  },
};

const version = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
const notices = new Set<string>();
const onNotice = (message: string): void => {
  if (notices.has(message) || process.argv.includes('--quiet') || process.argv.includes('--json')) return;
  notices.add(message);
  process.stderr.write(`pio: ${message}\n`);
};
const code = await runCli(process.argv.slice(2), { io, version, services: () => createDefaultServices({ cwd: io.cwd, env: io.env, onNotice }) });
process.exitCode = code;
// Backends and plugins may keep handles open; the command is done.
process.stdout.write('', () => process.exit(code));
