import { PioError, type PioErrorOptions } from '@pio/core';

/** The version of node-llama-cpp the side-by-side benchmark is written and checked against. */
export const NODE_LLAMA_CPP_VERSION = '3.22.1';

/** Fields of a {@link NodeLlamaCppMissingError}. */
export interface NodeLlamaCppMissingFields {
  /** Why it could not be used, e.g. the import error's message. */
  reason: string;
}

/** The optional peer `node-llama-cpp`, needed to compare PIO with llama.cpp, is not installed (or has no `getLlama`). */
export class NodeLlamaCppMissingError extends PioError {
  /** Why it could not be used. */
  readonly reason: string;
  /** The version to install. */
  readonly version = NODE_LLAMA_CPP_VERSION;

  constructor(fields: NodeLlamaCppMissingFields, options: PioErrorOptions = {}) {
    super(
      'PIO_NODE_LLAMA_CPP_MISSING',
      `node-llama-cpp could not be loaded (${fields.reason}). To compare with it, run \`npm install node-llama-cpp@${NODE_LLAMA_CPP_VERSION}\`.`,
      options,
    );
    this.name = 'NodeLlamaCppMissingError';
    this.reason = fields.reason;
  }

  /** True when `error` is a {@link NodeLlamaCppMissingError} from any copy of `@pio/bench`. */
  static override isInstance(error: unknown): error is NodeLlamaCppMissingError {
    return PioError.isInstance(error) && error.code === 'PIO_NODE_LLAMA_CPP_MISSING';
  }
}
