import type { BenchEngineRequest } from '@pio/bench';
import type { BenchCompareDeps } from './bench-compare.js';
import { runBenchPluginEngine } from './bench-plugin-engine.js';
import type { CommandContext } from './command.js';
import { loadBenchHarness } from './load-bench-harness.js';

/**
 * The hidden `pio bench --engine-child <request>`: runs one engine of `pio bench --compare` in this process and
 * prints its result line (the parent started this process; see `spawnBenchChild`). PIO on a model folder runs the
 * model's plugin; everything else runs in `@pio/bench`.
 */
export async function runBenchEngineChild(context: CommandContext, json: string, deps: BenchCompareDeps): Promise<number> {
  const { benchChildResultLine, runBenchEngine } = await loadBenchHarness(deps.importBenchHarness);
  const request = JSON.parse(json) as BenchEngineRequest;
  const { model } = request;
  const options = deps.importNodeLlamaCpp ? { importNodeLlamaCpp: deps.importNodeLlamaCpp } : {};
  const result =
    request.engine === 'pio' && model !== undefined ? await runBenchPluginEngine(context, { ...request, model }) : await runBenchEngine(request, options);
  context.out.line(benchChildResultLine(result));
  return 0;
}
