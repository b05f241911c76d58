import { MAX_THREAD_COUNT } from '@pio/core';
import { CliUsageError } from '../errors/cli-usage-error.js';
import type { HostOptions } from '../services/cli-services.js';
import { BACKEND_CHOICES, type BackendChoice } from '../services/create-backend-factory.js';
import { numberFlag } from './parse-command-args.js';

/** Flags shared by the commands that load a model. */
export const MODEL_FLAGS = {
  model: { type: 'string', short: 'm' },
  plugin: { type: 'string' },
  backend: { type: 'string' },
  device: { type: 'string' },
  threads: { type: 'string' },
  storage: { type: 'string' },
  'context-size': { type: 'string' },
  'kv-cache': { type: 'string' },
  'expert-budget': { type: 'string' },
} as const;

/** Help lines for {@link MODEL_FLAGS}. */
export const MODEL_FLAGS_HELP = `  -m, --model <m>     Model folder or Hub id (org/name; downloaded into the Hugging Face cache when missing)
  --plugin <name>     Plugin to use (default: the one whose architectures match config.json)
  --backend <b>       auto (default: ggml when it starts, else TensorFlow.js), ggml, tfjs or reference
  --device <d>        cpu or gpu (default: chosen to fit)
  --threads <n>       CPU threads for the ggml backend (default: every core)
  --storage <s>       Weight storage: float32, bfloat16, float16, int8, int4, q8_0, q4_k, q4_0 (default: chosen to fit)
  --context-size <n>  Longest context (prompt + answer) in tokens (default: the model's)
  --kv-cache <t>      KV cache type: float32 (default, exact) or float16 (half the memory; ggml backend)
  --expert-budget <n> Mixture-of-experts models: routed experts kept in memory per MoE layer (default: all);
                      the others are read from the model files when a token needs them (slower, less memory)`;

/** The values of {@link MODEL_FLAGS} as parsed by `parseArgs`. */
export interface ModelFlagValues {
  backend?: string | undefined;
  device?: string | undefined;
  threads?: string | undefined;
  storage?: string | undefined;
  'context-size'?: string | undefined;
  'kv-cache'?: string | undefined;
  'expert-budget'?: string | undefined;
}

/** A whole number of at least 1 (and at most `max`) from a flag, or a {@link CliUsageError} naming it. */
function positiveInt(command: string, name: string, value: string | undefined, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const number = numberFlag(command, name, value, 'int');
  if (number !== undefined && number < 1) throw new CliUsageError(command, `--${name} must be 1 or more, got ${number}`);
  if (number !== undefined && number > max) throw new CliUsageError(command, `--${name} must be at most ${max}, got ${number}`);
  return number;
}

/** The {@link HostOptions} the model flags ask for (everything but the model roots). */
export function hostFlagsOf(command: string, values: ModelFlagValues): Omit<HostOptions, 'modelRoots'> {
  if (values.backend !== undefined && !BACKEND_CHOICES.includes(values.backend as BackendChoice)) {
    throw new CliUsageError(command, `--backend must be one of ${BACKEND_CHOICES.join(', ')}, got '${values.backend}'`);
  }
  if (values.device !== undefined && values.device !== 'cpu' && values.device !== 'gpu') {
    throw new CliUsageError(command, `--device must be cpu or gpu, got '${values.device}'`);
  }
  const threads = positiveInt(command, 'threads', values.threads, MAX_THREAD_COUNT);
  const contextSize = positiveInt(command, 'context-size', values['context-size']);
  const expertBudget = positiveInt(command, 'expert-budget', values['expert-budget']);
  return {
    ...(values.backend ? { backend: values.backend } : {}),
    ...(values.device ? { device: values.device } : {}),
    ...(threads === undefined ? {} : { threads }),
    ...(values.storage ? { storage: values.storage } : {}),
    ...(contextSize === undefined ? {} : { contextSize }),
    ...(values['kv-cache'] ? { kvCache: values['kv-cache'] } : {}),
    ...(expertBudget === undefined ? {} : { expertBudget }),
  };
}
