import OpenAI from 'openai';
import { createServer, type PioServer } from '../server/create-server.js';
import type { ServerOptions } from '../server/server-options.js';
import { EchoTextPlugin, type EchoTextPluginOptions } from './echo-text-plugin.js';
import { InMemoryModelHost, type InMemoryModelHostOptions } from './in-memory-model-host.js';

/** A server on 127.0.0.1 with one echo model (`echo`), an OpenAI client for it, and its parts. */
export interface TestServer {
  server: PioServer;
  host: InMemoryModelHost;
  plugin: EchoTextPlugin;
  url: string;
  client: OpenAI;
  close(): Promise<void>;
}

/** Starts a server over an {@link InMemoryModelHost} serving an {@link EchoTextPlugin} as `echo`. */
export async function startTestServer(
  options: Partial<ServerOptions> & InMemoryModelHostOptions = {},
  pluginOptions: EchoTextPluginOptions = {},
): Promise<TestServer> {
  const { limits, ...serverOptions } = options;
  const host = new InMemoryModelHost({ echo: () => new EchoTextPlugin(pluginOptions) }, limits ? { limits } : {});
  const plugin = new EchoTextPlugin(pluginOptions);
  await host.add('echo', plugin);
  const server = createServer({ host, ...serverOptions });
  const { url } = await server.listen(0, '127.0.0.1');
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: options.apiKey ?? 'unused', maxRetries: 0 });
  const close = async (): Promise<void> => {
    await server.close();
    await host.close();
  };
  return { server, host, plugin, url, client, close };
}
