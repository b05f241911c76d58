import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../errors/invalid-config-error.js';
import { TrustError } from '../errors/trust-error.js';
import { createPathValidator } from './create-path-validator.js';
import { hfHubCacheDir } from '../weights/hf-cache.js';
import { createTrustPolicy } from './trust-policy.js';

describe('createTrustPolicy', () => {
  it('trusts @pio/* as verified and nothing else by default', () => {
    const policy = createTrustPolicy();
    expect(policy.levelOf('@pio/plugin-qwen3-vl')).toBe('verified');
    expect(policy.levelOf('@pio/nested/name')).toBe('untrusted');
    expect(policy.levelOf('@pion/plugin')).toBe('untrusted');
    expect(policy.levelOf('pio-plugin-x')).toBe('untrusted');
  });

  it('applies allow-lists, per-package levels and the default', () => {
    const policy = createTrustPolicy({
      allow: ['@acme/*', 'solo-plugin'],
      allowedLevel: 'sandboxed',
      defaultLevel: 'untrusted',
      packages: { '@acme/special': 'trusted', '@pio/plugin-x': 'untrusted' },
    });
    expect(policy.levelOf('@acme/a')).toBe('sandboxed');
    expect(policy.levelOf('solo-plugin')).toBe('sandboxed');
    expect(policy.levelOf('@acme/special')).toBe('trusted');
    expect(policy.levelOf('@pio/plugin-x')).toBe('untrusted');
    expect(policy.levelOf('other')).toBe('untrusted');
  });

  it('refuses untrusted packages and packages below the level their plugin needs', () => {
    const policy = createTrustPolicy({ allow: ['@acme/*'], allowedLevel: 'sandboxed' });
    let error: unknown;
    try {
      policy.assertCanActivate({ packageName: 'evil-plugin', pluginName: 'evil', requiredTrust: 'sandboxed' });
    } catch (e) {
      error = e;
    }
    expect(TrustError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ packageName: 'evil-plugin', level: 'untrusted', requiredLevel: 'sandboxed' });
    expect((error as Error).message).toBe(
      'Refused to activate plugin "evil": package "evil-plugin" is trusted at level "untrusted", but "sandboxed" is needed. ' +
        'If you trust this package, add it to the trust policy (allow: ["evil-plugin"] or packages: { "evil-plugin": "sandboxed" }).',
    );
    expect(() => policy.assertCanActivate({ packageName: '@acme/net', pluginName: 'net', requiredTrust: 'verified' })).toThrow(
      expect.objectContaining({ code: 'PIO_TRUST', level: 'sandboxed', requiredLevel: 'verified' }),
    );
    // a plugin cannot lower the bar below sandboxed by declaring requiredTrust "untrusted"
    expect(() => policy.assertCanActivate({ packageName: 'x', pluginName: 'x', requiredTrust: 'untrusted' })).toThrow(
      expect.objectContaining({ requiredLevel: 'sandboxed' }),
    );
    expect(policy.assertCanActivate({ packageName: '@acme/ok', pluginName: 'ok', requiredTrust: 'sandboxed' })).toBe('sandboxed');
  });

  it('validates its options', () => {
    let error: unknown;
    try {
      createTrustPolicy({ allow: ['Bad Name'], defaultLevel: 'root' as never });
    } catch (e) {
      error = e;
    }
    expect(InvalidConfigError.isInstance(error)).toBe(true);
    expect((error as InvalidConfigError).issues).toEqual([
      { path: 'allow[0]', expected: 'a package name, "@scope/*" or "*"', found: '"Bad Name"' },
      { path: 'defaultLevel', expected: 'one of "untrusted" | "sandboxed" | "verified" | "trusted"', found: '"root"' },
    ]);
  });
});

describe('createPathValidator', () => {
  it('confines each level to its scope', async () => {
    const options = { allowedRoots: ['/srv/models'], hubCacheDir: '/cache/hub' };
    const sandboxed = createPathValidator({ ...options, level: 'sandboxed' });
    const verified = createPathValidator({ ...options, level: 'verified' });
    const trusted = createPathValidator({ ...options, level: 'trusted' });
    const untrusted = createPathValidator({ ...options, level: 'untrusted' });
    expect(await sandboxed('/srv/models/a')).toBe('/srv/models/a');
    await expect(sandboxed('/cache/hub/models--x')).rejects.toMatchObject({ code: 'PIO_PATH_NOT_ALLOWED', reason: 'outside-roots' });
    expect(await verified('/cache/hub/models--x')).toBe('/cache/hub/models--x');
    await expect(verified('/etc/passwd')).rejects.toMatchObject({ code: 'PIO_PATH_NOT_ALLOWED' });
    expect(await trusted('/etc/hostname-not-there')).toBe('/etc/hostname-not-there');
    await expect(untrusted('/srv/models/a')).rejects.toMatchObject({ reason: 'no-roots' });
  });
});

describe('hfHubCacheDir', () => {
  it('follows huggingface_hub', () => {
    expect(hfHubCacheDir({ HF_HUB_CACHE: '/a', HF_HOME: '/b' })).toBe('/a');
    expect(hfHubCacheDir({ HF_HOME: '/b' })).toBe('/b/hub');
    expect(hfHubCacheDir({ XDG_CACHE_HOME: '/c' })).toBe('/c/huggingface/hub');
  });
});
