import { describe, expect, it } from 'vitest';
import { ConfigFileError } from './config-file-error.js';
import { ContextLengthExceededError } from './context-length-exceeded-error.js';
import { ExecutionAbortedError } from './execution-aborted-error.js';
import { ExecutionTimeoutError } from './execution-timeout-error.js';
import { IncompatibleSpecVersionError } from './incompatible-spec-version-error.js';
import { InsufficientMemoryError } from './insufficient-memory-error.js';
import { InvalidConfigError } from './invalid-config-error.js';
import { InvalidManifestError } from './invalid-manifest-error.js';
import { PathNotAllowedError } from './path-not-allowed-error.js';
import { PioError } from './pio-error.js';
import { PluginLoadError } from './plugin-load-error.js';
import { PluginNotFoundError } from './plugin-not-found-error.js';
import { PluginStateError } from './plugin-state-error.js';
import { ResourceLimitError } from './resource-limit-error.js';
import { TrustError } from './trust-error.js';
import { UnsupportedModelError } from './unsupported-model-error.js';
import { UnsupportedSettingError } from './unsupported-setting-error.js';

const cause = new Error('root cause');
const cases: Array<[string, { isInstance(e: unknown): boolean }, PioError]> = [
  ['PIO_PLUGIN_NOT_FOUND', PluginNotFoundError, new PluginNotFoundError({ pluginName: 'x', available: ['a', 'b'] }, { cause })],
  ['PIO_PLUGIN_LOAD', PluginLoadError, new PluginLoadError({ pluginName: 'x', reason: 'r' }, { cause })],
  [
    'PIO_INCOMPATIBLE_SPEC_VERSION',
    IncompatibleSpecVersionError,
    new IncompatibleSpecVersionError({ pluginName: 'x', pluginVersion: 'v2', coreVersion: 'v1' }, { cause }),
  ],
  ['PIO_INVALID_CONFIG', InvalidConfigError, new InvalidConfigError({ source: 's', issues: [{ path: 'a', expected: 'number', found: '"x"' }] }, { cause })],
  ['PIO_CONFIG_FILE', ConfigFileError, new ConfigFileError({ path: '/m/config.json', reason: 'unreadable', detail: 'EACCES' }, { cause })],
  ['PIO_INVALID_MANIFEST', InvalidManifestError, new InvalidManifestError({ manifestPath: '/p/package.json', issues: [] }, { cause })],
  ['PIO_PATH_NOT_ALLOWED', PathNotAllowedError, new PathNotAllowedError({ path: '/x', allowedRoots: ['/r'], reason: 'outside-roots' }, { cause })],
  ['PIO_TRUST', TrustError, new TrustError({ packageName: 'p', level: 'sandboxed', requiredLevel: 'trusted', action: 'a' }, { cause })],
  [
    'PIO_INSUFFICIENT_MEMORY',
    InsufficientMemoryError,
    new InsufficientMemoryError({ neededBytes: 2 ** 31, availableBytes: 2 ** 30, device: 'gpu', storage: 'bfloat16', limitedBy: 'GPU memory' }, { cause }),
  ],
  ['PIO_PLUGIN_STATE', PluginStateError, new PluginStateError({ pluginName: 'x', state: 'inactive', message: 'm' }, { cause })],
  ['PIO_RESOURCE_LIMIT', ResourceLimitError, new ResourceLimitError({ limit: 'maxNewTokens', maximum: 1, requested: 2, advice: 'a' }, { cause })],
  ['PIO_EXECUTION_TIMEOUT', ExecutionTimeoutError, new ExecutionTimeoutError({ pluginName: 'x', timeoutMs: 5 }, { cause })],
  ['PIO_EXECUTION_ABORTED', ExecutionAbortedError, new ExecutionAbortedError({ pluginName: 'x', operation: 'execution' }, { cause })],
  ['PIO_UNSUPPORTED_MODEL', UnsupportedModelError, new UnsupportedModelError({ pluginName: 'x', modelPath: '/m', supported: ['a'] }, { cause })],
  ['PIO_CONTEXT_LENGTH_EXCEEDED', ContextLengthExceededError, new ContextLengthExceededError({ promptTokens: 9, contextLength: 8 }, { cause })],
  ['PIO_UNSUPPORTED_SETTING', UnsupportedSettingError, new UnsupportedSettingError({ setting: 'device', value: 'gpu', supported: ['cpu'] }, { cause })],
];

describe('plugin-system errors', () => {
  it.each(cases)('%s: code, cause, and isInstance that tells errors apart', (code, type, error) => {
    expect(error.code).toBe(code);
    expect(error.cause).toBe(cause);
    expect(PioError.isInstance(error)).toBe(true);
    expect(type.isInstance(error)).toBe(true);
    for (const [otherCode, , other] of cases) if (otherCode !== code) expect(type.isInstance(other)).toBe(false);
    expect(type.isInstance(new Error(error.message))).toBe(false);
    // a plain object from another copy of @pio/core carries the same marker and code
    const copy = Object.assign(Object.create(null), { [Symbol.for('pio.error')]: true, code });
    expect(type.isInstance(copy)).toBe(true);
  });

  it('puts the numbers and what to do in the memory message', () => {
    const error = cases[8][2];
    expect(error.message).toBe(
      'Not enough memory to load the model on gpu with bfloat16 weights: it needs 2.00 GiB (2147483648 bytes) but only ' +
        '1.00 GiB (1073741824 bytes) is available (limited by GPU memory). Free memory, choose a smaller weight storage ' +
        'type (int8, int4), or use a smaller model.',
    );
  });

  it('names both spec versions', () => {
    expect(cases[2][2].message).toBe(
      'Plugin "x" implements plugin spec v2, but @pio/core implements v1. Install a version of the plugin built for spec v1, ' +
        'or a @pio/core that implements v2.',
    );
  });
});
