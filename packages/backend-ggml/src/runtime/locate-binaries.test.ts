import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '@pio/core/testing/temp-dir';
import { createGgmlBackend } from '../create-ggml-backend.js';
import { GgmlUnavailableError } from '../errors/ggml-unavailable-error.js';
import { binaryPackages, findGgmlLibrary, locateBinaries } from './locate-binaries.js';

describe('locateBinaries', () => {
  it('lists GPU flavours before the CPU package for each platform', () => {
    expect(binaryPackages('linux', 'x64').map(([n]) => n)).toEqual([
      '@node-llama-cpp/linux-x64-cuda',
      '@node-llama-cpp/linux-x64-vulkan',
      '@node-llama-cpp/linux-x64',
    ]);
    expect(binaryPackages('darwin', 'arm64').map(([n]) => n)).toEqual(['@node-llama-cpp/mac-arm64-metal', '@node-llama-cpp/mac-arm64']);
    expect(binaryPackages('win32', 'x64')[2][0]).toBe('@node-llama-cpp/win-x64');
  });

  it('finds the versioned libggml inside an injected package folder', () => {
    const root = makeTempDir('pio-ggml-');
    mkdirSync(join(root, 'bins', 'linux-x64'), { recursive: true });
    for (const f of ['libggml-base.so', 'libggml.v0.5.0.so', 'libggml-cpu-haswell.so']) writeFileSync(join(root, 'bins', 'linux-x64', f), '');
    expect(findGgmlLibrary(join(root, 'bins', 'linux-x64'))).toBe(join(root, 'bins', 'linux-x64', 'libggml.v0.5.0.so'));
    const found = locateBinaries({ platform: 'linux', arch: 'x64', resolve: (name) => (name === '@node-llama-cpp/linux-x64-vulkan' ? root : undefined) });
    expect(found).toEqual([
      {
        packageName: '@node-llama-cpp/linux-x64-vulkan',
        flavor: 'vulkan',
        dir: join(root, 'bins', 'linux-x64'),
        ggmlPath: join(root, 'bins', 'linux-x64', 'libggml.v0.5.0.so'),
      },
    ]);
  });

  it('finds the real CPU build installed from npm', () => {
    const found = locateBinaries();
    expect(found.map((b) => b.flavor)).toContain('cpu');
  });

  it('createGgmlBackend throws GgmlUnavailableError when no build is installed', async () => {
    const error = await createGgmlBackend({ resolvePackage: () => undefined }).catch((e: unknown) => e);
    expect(GgmlUnavailableError.isInstance(error)).toBe(true);
    expect((error as GgmlUnavailableError).packages).toContain('@node-llama-cpp/linux-x64');
    expect((error as GgmlUnavailableError).message).toMatch(/Install `koffi`/);
  });
});
