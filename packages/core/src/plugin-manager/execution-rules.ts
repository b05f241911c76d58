import { ResourceLimitError } from '../errors/resource-limit-error.js';
import type { GenerationOptions } from '../plugin/generation-options.js';
import type { ManagerContext } from './manager-context.js';

/**
 * `options` under the manager's `limits.maxNewTokens`: refused above it, the limit as the default when unset.
 * Internal to the manager.
 *
 * @throws ResourceLimitError when `options.maxNewTokens` is above the limit.
 */
export function applyTokenLimit<T extends GenerationOptions>(ctx: ManagerContext, options: T): T {
  const limit = ctx.limits.maxNewTokens;
  if (limit === undefined) return options;
  if (options.maxNewTokens !== undefined && options.maxNewTokens > limit) {
    throw new ResourceLimitError({
      limit: 'maxNewTokens',
      maximum: limit,
      requested: options.maxNewTokens,
      advice: `Ask for at most ${limit} new tokens, or raise limits.maxNewTokens.`,
    });
  }
  return options.maxNewTokens === undefined ? { ...options, maxNewTokens: limit } : options;
}

/** The time limit of one execution: the shorter of the call's and `limits.timeoutMs`, or none. Internal to the manager. */
export function effectiveTimeout(ctx: ManagerContext, callTimeoutMs: number | undefined): number | undefined {
  const timeouts = [callTimeoutMs, ctx.limits.timeoutMs].filter((t): t is number => t !== undefined);
  return timeouts.length > 0 ? Math.min(...timeouts) : undefined;
}
