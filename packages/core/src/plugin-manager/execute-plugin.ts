import { ExecutionAbortedError } from '../errors/execution-aborted-error.js';
import { ExecutionTimeoutError } from '../errors/execution-timeout-error.js';
import { PluginStateError } from '../errors/plugin-state-error.js';
import type { ContentPart } from '../plugin/chat.js';
import { isTextModelPlugin } from '../plugin/text-model-plugin-interface.js';
import { anySignal } from './any-signal.js';
import { applyTokenLimit, effectiveTimeout } from './execution-rules.js';
import type { ManagerContext } from './manager-context.js';
import type { ActiveModel, PluginEntry, RunningExecution } from './plugin-entry.js';
import type { ExecutePluginOptions } from './plugin-manager.js';

/**
 * One execution of an active plugin within the limits: checks `maxNewTokens`, waits for its turn in the manager's
 * queue (alone: `executePlugin` calls are not batched), runs the plugin
 * with a signal that fires on the caller's abort, the time limit or deactivation. On timeout the caller gets
 * `ExecutionTimeoutError` at once; the slot is freed when the plugin call really ends. Internal to the manager.
 */
export async function runExecution(
  ctx: ManagerContext,
  entry: PluginEntry,
  active: ActiveModel,
  input: unknown,
  options: ExecutePluginOptions,
): Promise<unknown> {
  const pluginName = entry.name;
  const { timeoutMs: callTimeoutMs, signal: userSignal, image, images, ...rest } = options;
  const plugin = active.plugin;
  const text = isTextModelPlugin(plugin);
  const generation = text ? applyTokenLimit(ctx, rest) : rest;
  const timeoutMs = effectiveTimeout(ctx, callTimeoutMs);

  let release!: () => void;
  const granted = new Promise<void>((resolve, reject) => {
    const slot = new Promise<void>((hold) => (release = hold));
    ctx.queue.run(() => (resolve(), slot), { pluginName, signal: userSignal }, active.plugin).catch(reject);
  });
  await granted;
  if (entry.active !== active) {
    release();
    throw new PluginStateError({ pluginName, state: entry.state, message: 'it was deactivated while the call waited. Activate it again.' });
  }
  const controller = new AbortController();
  const signal = anySignal([userSignal, controller.signal]);
  const allImages = [...(image !== undefined ? [image] : []), ...(images ?? [])];
  const call = (async () =>
    text
      ? plugin.generateText(input as string | ContentPart[], {
          ...generation,
          ...(allImages.length > 0 ? { images: allImages } : {}),
          signal,
        })
      : plugin.infer(input, { signal }))();

  let timer: ReturnType<typeof setTimeout> | undefined;
  let timeoutError: ExecutionTimeoutError | undefined;
  const running: RunningExecution = {
    controller,
    done: call.then(
      () => undefined,
      () => undefined,
    ),
  };
  entry.executions.add(running);
  void running.done.then(() => {
    clearTimeout(timer);
    entry.executions.delete(running);
    release();
  });
  const timedOut = new Promise<never>((_, reject) => {
    if (timeoutMs === undefined) return;
    timer = setTimeout(() => {
      timeoutError = new ExecutionTimeoutError({ pluginName, timeoutMs });
      controller.abort(timeoutError);
      reject(timeoutError);
    }, timeoutMs);
  });
  try {
    return await Promise.race([call, timedOut]);
  } catch (error) {
    if (timeoutError !== undefined) throw timeoutError;
    if (userSignal?.aborted) {
      throw new ExecutionAbortedError({ pluginName, operation: 'execution', reason: 'its signal was aborted' }, { cause: error });
    }
    if (controller.signal.aborted) {
      throw new ExecutionAbortedError({ pluginName, operation: 'execution', reason: 'the plugin was deactivated' }, { cause: error });
    }
    throw error;
  }
}
