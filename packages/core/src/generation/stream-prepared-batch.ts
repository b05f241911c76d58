import type { CausalLM } from '../model/causal-lm.js';
import type { ChatCompletionDelta } from '../plugin/text-model-plugin-interface.js';
import type { Tokenizer } from '../text/tokenizer.js';
import type { AssistantOutputParser } from './assistant-output-parser.js';
import { createChatDeltaMapper } from './chat-delta-mapper.js';
import { DeltaChannel } from './delta-channel.js';
import type { RowGenerationOptions } from './generation-step.js';
import { streamText } from './stream-text.js';
import { validateGeneration } from './validate-generation-options.js';

/** One request of a batch, ready to run: its prompt (and model extras), its resolved options and its output parser. */
export interface PreparedBatchRow<Extras> {
  /** Prompt token ids, unpadded. */
  inputIds: number[];
  /** Model-specific inputs (e.g. preprocessed images). Without `combineExtras`, a row with extras runs alone. */
  extras?: Extras;
  /** The row's options (model defaults already applied), `stop` and `signal` included. */
  options: RowGenerationOptions;
  /** Splits the row's output into answer, reasoning and tool calls. */
  parser: AssistantOutputParser;
}

/** Batch-wide options of {@link streamPreparedBatch}. */
export interface BatchOptions<Extras> {
  /** Token that left-pads the prompts. */
  padTokenId?: number;
  /**
   * Merges the extras of the rows of one batch, in row order (`undefined` for rows without), into the extras of the
   * batch, for models that take extras for several rows at once. Without it, rows with extras run alone.
   */
  combineExtras?: (extras: readonly (Extras | undefined)[]) => Extras | undefined;
}

interface ReadyRow<Extras> extends PreparedBatchRow<Extras> {
  index: number;
  signal: AbortSignal;
}

/**
 * Runs separately prepared requests as batched generations and returns one stream of chat deltas per request, in order.
 *
 * Nothing runs until a stream is first read. Then every request is prepared (`prepare[i]()`, concurrently) and its
 * options checked; a request that fails there fails only its own stream. Requests without extras run as one batch
 * (left-padded, one forward pass per step for all, each row with its own options); a request with extras (e.g.
 * images) runs alone, at the same time, unless `combineExtras` merges extras into the batch. A row ends alone when its
 * signal fires or its reader stops reading.
 */
export function streamPreparedBatch<Extras>(
  model: CausalLM<Extras>,
  tokenizer: Tokenizer,
  prepare: ReadonlyArray<() => Promise<PreparedBatchRow<Extras>>>,
  batchOptions: BatchOptions<Extras> = {},
): AsyncIterable<ChatCompletionDelta>[] {
  const { combineExtras, ...generationOptions } = batchOptions;
  let started = false;
  const readersGone = prepare.map(() => new AbortController());
  const channels = prepare.map(
    (_, index) =>
      new DeltaChannel<ChatCompletionDelta>(
        () => start(),
        () => readersGone[index].abort(new Error('The reader stopped reading.')),
      ),
  );

  const runGroup = async (rows: ReadyRow<Extras>[]): Promise<void> => {
    const inputIds = rows.map((row) => row.inputIds);
    const rowOptions = rows.map((row) => ({ ...row.options, signal: row.signal }));
    const mappers = rows.map((row) => createChatDeltaMapper(row.parser));
    try {
      const extras =
        rows.length === 1 ? rows[0].extras : rows.some((row) => row.extras !== undefined) ? combineExtras!(rows.map((row) => row.extras)) : undefined;
      for await (const delta of streamText(model, tokenizer, { inputIds, extras }, { ...generationOptions, rowOptions })) {
        const channel = channels[rows[delta.row].index];
        const out = mappers[delta.row](delta);
        if (out) channel.push(out);
        if (delta.finishReason !== undefined) channel.end();
      }
    } catch (error) {
      for (const row of rows) channels[row.index].fail(error);
    }
  };

  const run = async (): Promise<void> => {
    const settled = await Promise.allSettled(prepare.map((fn) => fn()));
    const ready: ReadyRow<Extras>[] = [];
    settled.forEach((result, index) => {
      try {
        if (result.status === 'rejected') throw result.reason;
        validateGeneration({ inputIds: [result.value.inputIds] }, result.value.options, model.vocabSize);
        const signals = [readersGone[index].signal, ...(result.value.options.signal ? [result.value.options.signal] : [])];
        ready.push({ ...result.value, index, signal: AbortSignal.any(signals) });
      } catch (error) {
        channels[index].fail(error);
      }
    });
    const together = combineExtras ? ready : ready.filter((row) => row.extras === undefined);
    const alone = combineExtras ? [] : ready.filter((row) => row.extras !== undefined).map((row) => [row]);
    await Promise.all([...(together.length > 0 ? [together] : []), ...alone].map(runGroup));
  };

  const start = (): void => {
    if (started) return;
    started = true;
    void run().catch((error: unknown) => channels.forEach((channel) => channel.fail(error)));
  };

  return channels;
}
