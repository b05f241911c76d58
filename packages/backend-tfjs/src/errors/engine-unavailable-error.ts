import { PioError, type PioErrorOptions } from '@pio/core';
import type { TfjsEngineName } from '../engine/engine-kinds.js';

/** How to get each engine, and what it needs from the machine. */
const REQUIREMENTS: Readonly<Record<TfjsEngineName, { packageName: string; needs: string }>> = {
  'tfjs-node-gpu': {
    packageName: '@tensorflow/tfjs-node-gpu',
    needs:
      'Linux x64, CUDA 11.2 and cuDNN 8.1 on the library path and an NVIDIA driver; its install script downloads a ' +
      'prebuilt GPU libtensorflow, so the install needs network access to storage.googleapis.com',
  },
  'tfjs-node': {
    packageName: '@tensorflow/tfjs-node',
    needs:
      'a prebuilt libtensorflow that its install script downloads at install time (network access to ' +
      'storage.googleapis.com, or a local build of the binding)',
  },
  'tfjs-wasm': {
    packageName: '@tensorflow/tfjs-backend-wasm',
    needs: 'its .wasm files next to the package (they ship in its dist/ folder)',
  },
  'tfjs-cpu': {
    packageName: '@tensorflow/tfjs-backend-cpu',
    needs: 'nothing beyond Node.js',
  },
};

/** Fields of an {@link EngineUnavailableError}. */
export interface EngineUnavailableFields {
  /** The engine that was asked for (for `auto`, the last one tried). */
  engine: TfjsEngineName;
  /** Why it could not be used, e.g. `not installed` or the load error's message. */
  reason: string;
}

/** A tfjs engine that was asked for is not installed, failed to load, or cannot run on this machine. */
export class EngineUnavailableError extends PioError {
  /** The engine that could not be used. */
  readonly engine: TfjsEngineName;
  /** The npm package that provides it. */
  readonly packageName: string;
  /** Why it could not be used. */
  readonly reason: string;
  /** What the engine needs from the machine. */
  readonly requirements: string;

  constructor(fields: EngineUnavailableFields, options: PioErrorOptions = {}) {
    const { packageName, needs } = REQUIREMENTS[fields.engine];
    super(
      'PIO_TFJS_ENGINE_UNAVAILABLE',
      `The ${fields.engine} engine is unavailable (${fields.reason}). Install it with \`npm install ${packageName}\`; ` +
        `it needs ${needs}. Or create the backend with device 'auto' to use the best engine that is installed.`,
      options,
    );
    this.name = 'EngineUnavailableError';
    this.engine = fields.engine;
    this.packageName = packageName;
    this.reason = fields.reason;
    this.requirements = needs;
  }

  /** True when `error` is an {@link EngineUnavailableError} from any copy of `@pio/backend-tfjs`. */
  static override isInstance(error: unknown): error is EngineUnavailableError {
    return PioError.isInstance(error) && error.code === 'PIO_TFJS_ENGINE_UNAVAILABLE';
  }
}
