import { benchChildResultLine, runBenchEngine, type BenchEngineRequest, type NodeLlamaCppImporter } from '@pio/backend-ggml/bench';
import { runBenchPluginEngine } from './bench-plugin-engine.js';
import type { CommandContext } from './command.js';

/**
 * The hidden `pio bench --engine-child <request>`: runs one engine of `pio bench --compare` in this process and
 * prints its result line (the parent started this process; see `spawnBenchChild`). PIO on a model folder runs the
 * model's plugin; everything else runs in `@pio/backend-ggml/bench`.
 */
export async function runBenchEngineChild(context: CommandContext, json: string, importNodeLlamaCpp: NodeLlamaCppImporter): Promise<number> {
  const request = JSON.parse(json) as BenchEngineRequest;
  const { model } = request;
  const result = request.engine === 'pio' && model !== undefined ? await runBenchPluginEngine(context, { ...request, model }) : await runBenchEngine(request, { importNodeLlamaCpp });
  context.out.line(benchChildResultLine(result));
  return 0;
}
