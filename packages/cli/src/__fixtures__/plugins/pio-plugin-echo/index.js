// A PIO text plugin in plain JavaScript for the CLI's end-to-end tests: it answers
// "echo: <words of the prompt>" word by word, "[image N bytes]" per image, and reads a
// "prefix" from the model's config.json. Set ECHO_DELAY_MS to slow it down.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const textOf = (prompt) =>
  typeof prompt === 'string' ? prompt : prompt.map((part) => (part.type === 'text' ? part.text : '')).join(' ');
const sizeOf = (image) => (typeof image === 'string' ? image.length : image.length ?? 0);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class EchoPlugin {
  specificationVersion = 'v1';
  kind = 'text';
  metadata = {
    name: 'echo',
    version: '1.2.3',
    description: 'Echoes its prompt (CLI end-to-end tests).',
    architectures: ['EchoForCausalLM'],
    modelTypes: ['echo'],
    modalities: { input: ['text', 'image'], output: ['text'] },
    license: 'Apache-2.0',
    requiredTrust: 'sandboxed',
  };
  prefix = 'echo:';

  async initialize({ validatePath }) {
    this.validatePath = validatePath;
  }
  supportsConfig(config) {
    return config?.model_type === 'echo';
  }
  estimateMemory(config, storage) {
    const parameters = config.num_parameters ?? 1000;
    const bytes = { float32: 4, bfloat16: 2, float16: 2, int8: 1, int4: 0.5 }[storage] ?? 4;
    const weightBytes = parameters * bytes;
    return { storage, parameters, weightBytes, runtimeBytes: 1024, contextLength: 2048, totalBytes: weightBytes + 1024 };
  }
  async loadModel({ modelPath, onProgress }) {
    const dir = this.validatePath ? await this.validatePath(modelPath) : modelPath;
    const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    this.prefix = config.prefix ?? 'echo:';
    onProgress?.({ phase: 'weights', loaded: 1, total: 2, unit: 'tensors', item: 'a' });
    onProgress?.({ phase: 'weights', loaded: 2, total: 2, unit: 'tensors', item: 'b' });
  }
  async infer() {
    throw new Error('no raw forward pass');
  }
  async cleanup() {}
  tokenize(text) {
    return text.split(/\s+/).filter(Boolean).map((word) => word.length);
  }
  detokenize(ids) {
    return ids.map((id) => 'x'.repeat(id)).join(' ');
  }
  async generate() {
    throw new Error('not supported');
  }
  async *streamGenerate() {
    throw new Error('not supported');
  }
  async *streamText(prompt, options = {}) {
    const images = [...(options.images ?? []), ...(Array.isArray(prompt) ? prompt.filter((p) => p.type === 'image').map((p) => p.image) : [])];
    const words = [this.prefix, ...images.map((image) => `[image ${sizeOf(image)} bytes]`), ...textOf(prompt).split(/\s+/).filter(Boolean)];
    const limit = Math.min(words.length, options.maxNewTokens ?? Infinity);
    const delay = Number(process.env.ECHO_DELAY_MS ?? 0);
    for (let i = 0; i < limit; i++) {
      if (delay) await sleep(delay);
      if (options.signal?.aborted) return;
      const text = i === 0 ? words[i] : ` ${words[i]}`;
      yield { text, tokens: [text.length] };
    }
  }
  async generateText(prompt, options = {}) {
    let text = '';
    const tokens = [];
    for await (const delta of this.streamText(prompt, options)) {
      text += delta.text;
      tokens.push(...delta.tokens);
    }
    const promptTokens = this.tokenize(textOf(prompt)).length;
    const finishReason = options.signal?.aborted ? 'abort' : tokens.length >= (options.maxNewTokens ?? Infinity) ? 'length' : 'stop';
    return { text, tokens, finishReason, usage: { promptTokens, completionTokens: tokens.length, totalTokens: promptTokens + tokens.length } };
  }
  async *streamChatCompletion(request) {
    const last = [...request.messages].reverse().find((m) => m.role === 'user');
    const turns = request.messages.filter((m) => m.role === 'user').length;
    const parts = typeof last?.content === 'string' ? [{ type: 'text', text: `${last.content} (turn ${turns})` }] : [...(last?.content ?? []), { type: 'text', text: `(turn ${turns})` }];
    let count = 0;
    for await (const delta of this.streamText(parts, request)) {
      count += delta.tokens.length;
      yield { content: delta.text };
    }
    const finishReason = request.signal?.aborted ? 'abort' : count >= (request.maxNewTokens ?? Infinity) ? 'length' : 'stop';
    yield { finishReason, usage: { promptTokens: turns, completionTokens: count, totalTokens: turns + count } };
  }
  async chatCompletion(request) {
    let content = '';
    let last;
    for await (const delta of this.streamChatCompletion(request)) {
      content += delta.content ?? '';
      last = delta;
    }
    return { message: { role: 'assistant', content }, finishReason: last.finishReason, usage: last.usage };
  }
}

export function createEchoPlugin() {
  return new EchoPlugin();
}
