import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../testing/make-temp-dir.js';
import { PathNotAllowedError } from '../errors/path-not-allowed-error.js';
import { createPathGuard } from './path-guard.js';

const base = makeTempDir('pio-guard-');
let root: string;
let outside: string;

beforeAll(async () => {
  root = join(base, 'models');
  outside = join(base, 'secrets');
  await mkdir(join(root, 'qwen'), { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(join(outside, 'key.txt'), 'secret');
  await writeFile(join(root, 'qwen', 'config.json'), '{}');
  await symlink(outside, join(root, 'escape'), 'dir'); // a link inside the root pointing out of it
  await symlink(join(root, 'qwen'), join(base, 'qwen-link'), 'dir'); // a link outside pointing in
  await symlink(root, join(base, 'models-link'), 'dir'); // a root given through a symlink
});

async function refusal(promise: Promise<unknown>): Promise<PathNotAllowedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(PathNotAllowedError.isInstance(error)).toBe(true);
  return error as PathNotAllowedError;
}

describe('createPathGuard', () => {
  it('allows paths inside a root and returns the real path', async () => {
    const guard = createPathGuard({ allowedRoots: [root] });
    expect(await guard.validate(join(root, 'qwen'))).toBe(join(root, 'qwen'));
    expect(await guard.validate(join(root, 'qwen', 'config.json'))).toBe(join(root, 'qwen', 'config.json'));
    expect(await guard.validate(root)).toBe(root);
    expect(await guard.validate(join(root, 'not-yet', 'file.bin'))).toBe(join(root, 'not-yet', 'file.bin'));
  });

  it('follows a symlink that points into a root', async () => {
    const guard = createPathGuard({ allowedRoots: [root] });
    expect(await guard.validate(join(base, 'qwen-link'))).toBe(join(root, 'qwen'));
  });

  it('resolves roots that are symlinks', async () => {
    const guard = createPathGuard({ allowedRoots: [join(base, 'models-link')] });
    expect(await guard.validate(join(root, 'qwen'))).toBe(join(root, 'qwen'));
  });

  it('refuses any ".." segment, even one that lands inside the root', async () => {
    const guard = createPathGuard({ allowedRoots: [root] });
    const error = await refusal(guard.validate(`${root}/qwen/../qwen`));
    expect(error.reason).toBe('parent-segment');
    expect(error.message).toBe(`Path not allowed: "${root}/qwen/../qwen" contains a ".." segment, which is never allowed. Pass the folder's own path.`);
    expect((await refusal(guard.validate(`${root}/../secrets/key.txt`))).reason).toBe('parent-segment');
    expect((await refusal(guard.validate('..\\secrets'))).reason).toBe('parent-segment');
  });

  it('refuses paths outside the roots', async () => {
    const guard = createPathGuard({ allowedRoots: [root] });
    const error = await refusal(guard.validate(join(outside, 'key.txt')));
    expect(error.reason).toBe('outside-roots');
    expect(error.message).toBe(
      `Path not allowed: "${join(outside, 'key.txt')}" is outside the allowed roots: ${root}. ` +
        'Move the model under an allowed root or add its folder to allowedRoots.',
    );
    // a sibling whose name starts with the root's name is not inside it
    expect((await refusal(guard.validate(`${root}-other/x`))).reason).toBe('outside-roots');
  });

  it('refuses a symlink inside a root that escapes it', async () => {
    const guard = createPathGuard({ allowedRoots: [root] });
    const error = await refusal(guard.validate(join(root, 'escape', 'key.txt')));
    expect(error.reason).toBe('outside-roots');
    expect(error.resolvedPath).toBe(join(outside, 'key.txt'));
    expect(error.message).toContain(`(really ${join(outside, 'key.txt')})`);
  });

  it('refuses everything without roots', async () => {
    const error = await refusal(createPathGuard({ allowedRoots: [] }).validate(root));
    expect(error.reason).toBe('no-roots');
  });
});
