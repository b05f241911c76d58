import { ExecutionAbortedError } from '../errors/execution-aborted-error.js';
import { ExecutionTimeoutError } from '../errors/execution-timeout-error.js';
import { PluginStateError } from '../errors/plugin-state-error.js';
import type { BatchGenerationRequest, ChatCompletionDelta, TextModelPluginInterface } from '../plugin/text-model-plugin-interface.js';
import { anySignal } from './any-signal.js';
import { applyTokenLimit, effectiveTimeout } from './execution-rules.js';
import type { ManagerContext } from './manager-context.js';
import type { ActiveModel, PluginEntry, RunningExecution } from './plugin-entry.js';
import type { StreamGenerationOptions } from './plugin-manager.js';
import { singleRequestStream } from './single-request-stream.js';

/** A row handed to its caller when its batch starts. */
interface Row {
  stream: AsyncIterable<ChatCompletionDelta>;
  /** Why the manager ended the row (timeout, deactivation), if it did. */
  stoppedBy: () => unknown;
  /** The caller is done with the row (ends it if still running). */
  finish: () => void;
}

interface Member {
  request: BatchGenerationRequest;
  streamed: boolean;
  signal: AbortSignal | undefined;
  timeoutMs: number | undefined;
  handOver: (row: Row) => void;
  fail: (error: unknown) => void;
}

/**
 * One generation through the manager's queue (internal to the manager): checks `maxNewTokens`, waits for its turn,
 * shares a batch with the other generations waiting for the same model (`plugin.streamBatch`, up to
 * `limits.maxBatchSize`), and streams the request's own deltas. The row ends alone when the caller's signal fires,
 * the caller stops reading, the time limit passes (then `ExecutionTimeoutError` is thrown after the row ended) or the
 * plugin is deactivated (`ExecutionAbortedError`).
 */
export async function* streamScheduledGeneration(
  ctx: ManagerContext,
  entry: PluginEntry,
  active: ActiveModel,
  request: BatchGenerationRequest,
  options: StreamGenerationOptions,
): AsyncGenerator<ChatCompletionDelta> {
  const limited = limitRequest(ctx, request);
  let handOver!: (row: Row) => void;
  let fail!: (error: unknown) => void;
  const ready = new Promise<Row>((resolve, reject) => {
    handOver = resolve;
    fail = reject;
  });
  const member: Member = {
    request: limited,
    streamed: options.streamed ?? true,
    signal: options.signal,
    timeoutMs: effectiveTimeout(ctx, options.timeoutMs),
    handOver,
    fail,
  };
  const batching = (active.plugin as TextModelPluginInterface).streamBatch !== undefined && ctx.limits.maxBatchSize > 1;
  ctx.queue
    .runBatched(
      member,
      { key: active.plugin, maxSize: batching ? ctx.limits.maxBatchSize : 1, run: (members) => runBatch(entry, active, batching, members) },
      { pluginName: entry.name, signal: options.signal },
    )
    .catch(fail);
  const row = await ready;
  try {
    yield* row.stream;
  } finally {
    row.finish();
  }
  const stoppedBy = row.stoppedBy();
  if (stoppedBy !== undefined) throw stoppedBy;
}

function limitRequest(ctx: ManagerContext, request: BatchGenerationRequest): BatchGenerationRequest {
  if (request.kind === 'chat') return { kind: 'chat', request: applyTokenLimit(ctx, request.request) };
  return { kind: 'text', prompt: request.prompt, options: applyTokenLimit(ctx, request.options ?? {}) };
}

function withSignal(request: BatchGenerationRequest, signal: AbortSignal): BatchGenerationRequest {
  return request.kind === 'chat'
    ? { kind: 'chat', request: { ...request.request, signal } }
    : { kind: 'text', prompt: request.prompt, options: { ...request.options, signal } };
}

async function runBatch(entry: PluginEntry, active: ActiveModel, batching: boolean, members: readonly Member[]): Promise<void> {
  const pluginName = entry.name;
  if (entry.active !== active) {
    const error = new PluginStateError({ pluginName, state: entry.state, message: 'it was deactivated while the call waited. Activate it again.' });
    members.forEach((member) => member.fail(error));
    return;
  }
  const plugin = active.plugin as TextModelPluginInterface;
  const rows = members.map((member) => {
    const controller = new AbortController();
    let closing = false;
    let stoppedBy: unknown;
    let release!: () => void;
    const done = new Promise<void>((resolve) => (release = resolve));
    const { timeoutMs } = member;
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(new ExecutionTimeoutError({ pluginName, timeoutMs })), timeoutMs);
    controller.signal.addEventListener(
      'abort',
      () => {
        if (closing) return;
        const reason: unknown = controller.signal.reason;
        stoppedBy = ExecutionTimeoutError.isInstance(reason)
          ? reason
          : new ExecutionAbortedError({ pluginName, operation: 'execution', reason: 'the plugin was deactivated' }, { cause: reason });
      },
      { once: true },
    );
    const running: RunningExecution = { controller, done };
    entry.executions.add(running);
    return {
      signal: anySignal([member.signal, controller.signal]),
      stoppedBy: () => stoppedBy,
      done,
      finish: () => {
        if (closing) return;
        closing = true;
        clearTimeout(timer);
        controller.abort(new Error('The request is done.')); // ends the row if the caller stopped reading before its end
        entry.executions.delete(running);
        release();
      },
    };
  });
  const requests = members.map((member, i) => withSignal(member.request, rows[i].signal));
  let streams: AsyncIterable<ChatCompletionDelta>[];
  try {
    streams = batching ? plugin.streamBatch!(requests) : requests.map((request, i) => singleRequestStream(plugin, request, members[i].streamed));
  } catch (error) {
    rows.forEach((row) => row.finish());
    members.forEach((member) => member.fail(error));
    return;
  }
  members.forEach((member, i) => member.handOver({ stream: streams[i], stoppedBy: rows[i].stoppedBy, finish: rows[i].finish }));
  await Promise.all(rows.map((row) => row.done));
}
