import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { ChatCompletionRequest, ChatMessage, ContentPart } from '@pio/core';
import type { CliCommand, CommandContext } from './command.js';
import { CliUsageError } from '../errors/cli-usage-error.js';
import { numberFlag, parseCommandArgs } from './parse-command-args.js';
import { loadModel } from './load-model.js';
import { ensureModel } from './ensure-model.js';
import { hostFlagsOf, MODEL_FLAGS, MODEL_FLAGS_HELP } from './model-flags.js';
import { modelRootsOf } from './model-roots.js';

/** `pio chat`: an interactive conversation. */
export const chatCommand: CliCommand = {
  name: 'chat',
  summary: 'Chat with a model interactively (or through piped stdin)',
  help: `Usage: pio chat --model <folder|org/name> [options]

Each line you type is a user message; the answer streams back and the conversation is kept.
Ctrl-C stops the current answer within one decode step (at the prompt it quits; a second
Ctrl-C while the answer stops exits at once). With stdin piped, each line is a turn.

Commands:
  /image <path>   Attach an image to your next message
  /reset          Forget the conversation (keeps --system)
  /exit           Quit

Options:
${MODEL_FLAGS_HELP}
  --system <text>     System message
  --max-tokens <n>    Most new tokens per answer
  --temperature <t>   Sampling temperature
  --top-p <p>         Nucleus sampling mass
  --seed <s>          Sampling seed
  -q, --quiet         No status lines
  -h, --help          Show this help`,
  run: runChat,
};

async function runChat(context: CommandContext): Promise<number> {
  const { args, io, out, err, services } = context;
  const { values, positionals } = parseCommandArgs('chat', args, {
    ...MODEL_FLAGS,
    system: { type: 'string' },
    'max-tokens': { type: 'string' },
    temperature: { type: 'string' },
    'top-p': { type: 'string' },
    seed: { type: 'string' },
  });
  if (!values.model) throw new CliUsageError('chat', '--model is required');
  if (positionals.length > 0) throw new CliUsageError('chat', `unexpected argument '${positionals[0]}'`);
  const sampling: Omit<ChatCompletionRequest, 'messages'> = {};
  const maxTokens = numberFlag('chat', 'max-tokens', values['max-tokens'], 'int');
  const temperature = numberFlag('chat', 'temperature', values.temperature);
  const topP = numberFlag('chat', 'top-p', values['top-p']);
  const seed = numberFlag('chat', 'seed', values.seed, 'int');
  if (maxTokens !== undefined) sampling.maxNewTokens = maxTokens;
  if (temperature !== undefined) sampling.temperature = temperature;
  if (topP !== undefined) sampling.topP = topP;
  if (seed !== undefined) sampling.seed = seed;

  const host = services.createHost({
    modelRoots: modelRootsOf(io.cwd, [values.model]),
    ...hostFlagsOf('chat', values),
  });
  const interactive = io.stdin.isTTY === true;
  const system: ChatMessage[] = values.system ? [{ role: 'system', content: values.system }] : [];
  let history: ChatMessage[] = [...system];
  let images: Uint8Array[] = [];
  let answering: AbortController | undefined;
  let lines: ReturnType<typeof createInterface> | undefined;
  const loading = new AbortController();
  const interrupt = (): void => {
    if (answering?.signal.aborted)
      io.exit(130); // a second Ctrl-C while the answer is still stopping
    else if (answering) answering.abort(new Error('Interrupted'));
    else if (lines) lines.close();
    else loading.abort(new Error('Interrupted while loading the model'));
  };
  const release = io.onInterrupt(interrupt);
  const prompt = (): void => {
    if (interactive) io.stdout.write(out.style('green', '> '));
  };
  try {
    const source = await ensureModel(services, err, { source: values.model, signal: loading.signal });
    const model = await loadModel(host, err, { id: values.model, source, signal: loading.signal, ...(values.plugin ? { pluginId: values.plugin } : {}) });
    // Created after loading: readline starts reading at once, and lines read before iteration begins would be lost.
    lines = createInterface({ input: io.stdin, terminal: interactive, ...(interactive ? { output: io.stdout as NodeJS.WritableStream } : {}) });
    lines.on('SIGINT', interrupt);
    if (interactive) err.info(err.style('dim', 'Type a message; /image <path>, /reset, /exit.'));
    prompt();
    for await (const line of lines) {
      const text = line.trim();
      if (text === '/exit' || text === '/quit') break;
      if (text === '') {
        prompt();
        continue;
      }
      if (text === '/reset') {
        history = [...system];
        images = [];
        err.info(err.style('dim', '(conversation reset)'));
      } else if (text.startsWith('/image')) {
        const path = text.slice('/image'.length).trim();
        try {
          images.push(new Uint8Array(await readFile(resolve(io.cwd, path))));
          err.info(err.style('dim', `(image ${path} attached to your next message)`));
        } catch (error) {
          err.line(err.style('red', `cannot read image '${path}': ${(error as Error).message}`));
        }
      } else if (text.startsWith('/')) {
        err.line(err.style('yellow', `unknown command ${text.split(' ')[0]}; use /image <path>, /reset or /exit`));
      } else {
        const content: ChatMessage['content'] =
          images.length === 0 ? text : [...images.map((image): ContentPart => ({ type: 'image', image })), { type: 'text', text }];
        images = [];
        history.push({ role: 'user', content });
        answering = new AbortController();
        let answer = '';
        try {
          for await (const delta of model.plugin.streamChatCompletion({ ...sampling, messages: history, signal: answering.signal })) {
            if (delta.content) {
              answer += delta.content;
              io.stdout.write(delta.content);
            }
          }
        } catch (error) {
          err.line(err.style('red', `error: ${(error as Error).message}`));
        }
        io.stdout.write('\n');
        if (answering.signal.aborted) err.info(err.style('yellow', '(stopped)'));
        history.push({ role: 'assistant', content: answer });
        answering = undefined;
      }
      prompt();
    }
    return 0;
  } finally {
    release();
    lines?.close();
    await host.close();
  }
}
