import type { RouteContext } from '../route-context.js';

/** `GET /plugins`: the installed plugins. */
export async function listPluginsRoute(context: RouteContext): Promise<void> {
  const plugins = await context.host.listPlugins();
  context.sendJson(200, {
    object: 'list',
    data: plugins.map((plugin) => ({
      id: plugin.name,
      version: plugin.version,
      description: plugin.description,
      architectures: plugin.architectures,
      model_types: plugin.modelTypes,
      modalities: plugin.modalities,
      package: plugin.packageName ?? null,
    })),
  });
}
