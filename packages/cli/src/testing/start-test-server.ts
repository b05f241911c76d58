import OpenAI from 'openai';
import { createServer, type PioServer } from '../server/create-server.js';
import type { ServerOptions } from '../server/server-options.js';
import { EchoTextPlugin, type EchoTextPluginOptions } from './echo-text-plugin.js';
import { InMemoryModelHost } from './in-memory-model-host.js';

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
  options: Partial<ServerOptions> = {},
  pluginOptions: EchoTextPluginOptions = {},
): Promise<TestServer> {
  const host = new InMemoryModelHost({ echo: () => new EchoTextPlugin(pluginOptions) });
  const plugin = new EchoTextPlugin(pluginOptions);
  host.add('echo', plugin);
  const server = createServer({ host, ...options });
  const { url } = await server.listen(0, '127.0.0.1');
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: options.apiKey ?? 'unused', maxRetries: 0 });
  return { server, host, plugin, url, client, close: () => server.close() };
}
