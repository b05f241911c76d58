import type { PluginManager } from '@pio/core';
import { ModelNotRegisteredError } from '../errors/model-not-registered-error.js';
import type { ModelHost } from './model-host.js';

/**
 * The generation methods of a {@link ModelHost} whose models run in a `PluginManager`: both go through the manager's
 * one queue and limits (`streamGeneration` batches, `executePlugin` runs alone). `managerNameOf` maps a served model
 * id to the name its plugin is active under.
 */
export function managerModelHost(
  manager: PluginManager,
  managerNameOf: (id: string) => string | undefined,
): Pick<ModelHost, 'streamGeneration' | 'generateText'> {
  const nameOf = (id: string): string => {
    const name = managerNameOf(id);
    if (name === undefined) throw new ModelNotRegisteredError(id);
    return name;
  };
  return {
    streamGeneration: (id, request, options) => ({
      [Symbol.asyncIterator]: () => manager.streamGeneration(nameOf(id), request, options)[Symbol.asyncIterator](),
    }),
    generateText: async (id, prompt, options) => (await manager.executePlugin(nameOf(id), prompt, options)) as Awaited<ReturnType<ModelHost['generateText']>>,
  };
}
