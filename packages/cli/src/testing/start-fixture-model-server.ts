import type { Backend, ExecutionLimitsInput, PluginManager } from '@pio/core';
import { createManagerHost } from '../host/create-manager-host.js';
import type { ModelHost } from '../host/model-host.js';
import { createServer, type PioServer } from '../server/create-server.js';
import type { ServerOptions } from '../server/server-options.js';
import { FIXTURE_BACKENDS, type FixtureBackendName } from './fixture-backends.js';
import { createWorkspacePluginManager } from './workspace-plugin-manager.js';

/** Options of {@link startFixtureModelServer}. */
export interface FixtureModelServerOptions {
  /** Model id → model folder; registered in this order (each loads its plugin's model). */
  models: Readonly<Record<string, string>>;
  /** The manager's execution limits. */
  limits?: ExecutionLimitsInput;
  /** The host's context length (as `pio serve --context`). */
  contextLength?: number;
  /** Folders outside the repository the manager may read models from. */
  extraRoots?: readonly string[];
  /** Wraps the host before the server gets it, e.g. to observe every stream it gives out. */
  wrapHost?: (host: ModelHost) => ModelHost;
  /** Options of the server besides its host. */
  server?: Omit<ServerOptions, 'host'>;
}

/** A server started by {@link startFixtureModelServer}, and its parts. */
export interface FixtureModelServer {
  readonly backend: Backend;
  readonly manager: PluginManager;
  /** The host the server serves (wrapped by `wrapHost` when given). */
  readonly host: ModelHost;
  readonly server: PioServer;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Closes the server and the host (unloading the models) and disposes the backend. */
  close(): Promise<void>;
}

/**
 * `pio serve` in process on the committed fixture models and a real backend: a new backend by name, the workspace's
 * plugin manager behind `createManagerHost`, the models registered, the server listening on 127.0.0.1 (port 0). When a
 * step fails, what was started is closed before the error is rethrown.
 */
export async function startFixtureModelServer(backendName: FixtureBackendName, options: FixtureModelServerOptions): Promise<FixtureModelServer> {
  const backend = await FIXTURE_BACKENDS[backendName]();
  const manager = createWorkspacePluginManager(backend, {
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.extraRoots ? { extraRoots: options.extraRoots } : {}),
  });
  const managerHost = createManagerHost({ manager, ...(options.contextLength === undefined ? {} : { contextLength: options.contextLength }) });
  let server: PioServer | undefined;
  const close = async (): Promise<void> => {
    try {
      await server?.close();
      await managerHost.close();
    } finally {
      backend.dispose();
    }
  };
  try {
    for (const [modelId, source] of Object.entries(options.models)) await managerHost.registerModel({ modelId, source });
    const host = options.wrapHost ? options.wrapHost(managerHost) : managerHost;
    server = createServer({ ...options.server, host });
    const { url } = await server.listen(0, '127.0.0.1');
    return { backend, manager, host, server, url, close };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}
