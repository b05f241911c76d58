import { existsSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from './make-temp-dir.js';

describe('makeTempDir', () => {
  let madeInTest = '';
  let madeInBeforeEach = '';
  let firstBeforeEach = '';
  let inBeforeAll: unknown;
  const inSuite = makeTempDir('pio-temp-dir-suite-');

  beforeAll(() => {
    try {
      makeTempDir('pio-temp-dir-hook-');
    } catch (error) {
      inBeforeAll = error;
    }
  });
  beforeEach(() => {
    madeInBeforeEach = makeTempDir('pio-temp-dir-each-');
  });

  it('creates an empty folder under the temp dir, named by the prefix, as a real path', () => {
    madeInTest = makeTempDir('pio-temp-dir-test-');
    expect(dirname(madeInTest)).toBe(realpathSync(tmpdir()));
    expect(basename(madeInTest)).toMatch(/^pio-temp-dir-test-.{6}$/);
    writeFileSync(join(madeInTest, 'file.txt'), 'x');
    writeFileSync(join(madeInBeforeEach, 'file.txt'), 'x');
    firstBeforeEach = madeInBeforeEach;
    expect(existsSync(inSuite)).toBe(true);
  });

  it('removes a folder made in a test or beforeEach when that test finishes, with its contents', () => {
    expect(madeInTest).not.toBe('');
    expect(existsSync(madeInTest)).toBe(false);
    expect(existsSync(firstBeforeEach)).toBe(false);
    expect(madeInBeforeEach).not.toBe(firstBeforeEach);
    expect(existsSync(madeInBeforeEach)).toBe(true);
  });

  it('keeps a folder made at collection time for the whole suite', () => {
    expect(existsSync(inSuite)).toBe(true);
  });

  it('throws inside beforeAll, where vitest cannot register the removal', () => {
    expect(inBeforeAll).toBeInstanceOf(Error);
    expect((inBeforeAll as Error).message).toMatch(/beforeAll\/afterAll.*top level of the test file/);
  });

  it('makes a new folder for every call', () => {
    expect(makeTempDir('pio-temp-dir-test-')).not.toBe(makeTempDir('pio-temp-dir-test-'));
  });
});

describe('after a suite', () => {
  const outer = { dir: '' };
  describe('inner', () => {
    outer.dir = makeTempDir('pio-temp-dir-inner-');
    it('has the folder', () => expect(existsSync(outer.dir)).toBe(true));
  });
  it('the folder made in its describe body is gone', () => expect(existsSync(outer.dir)).toBe(false));
});
