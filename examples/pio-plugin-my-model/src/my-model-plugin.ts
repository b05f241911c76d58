import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  PLUGIN_SPEC_VERSION,
  WEIGHT_STORAGE_BYTES,
  resolveContextLength,
  type Backend,
  type ChatCompletionRequest,
  type ContentPart,
  type GenerateInput,
  type GenerateTextOptions,
  type LoadModelOptions,
  type MemoryEstimate,
  type MemoryEstimateOptions,
  type ModelPluginMetadata,
  type PluginInitializeOptions,
  type TextInferInput,
  type TextInferOutput,
  type TextModelPluginInterface,
  type WeightStorage,
} from '@pio/core';
import { createTextModelRuntime, loadGenerationConfig, type TextModelRuntime } from '@pio/core/generation';
import { loadChatTemplate, loadTokenizer, type ChatTemplate } from '@pio/core/text';
import { createWeightSource, openCheckpoint } from '@pio/core/weights';
import { myModelConfigJsonSchema, parseMyModelConfig } from './my-model-config.js';
import { MyModelModel } from './my-model-model.js';
import { MyModelNotReadyError } from './errors/my-model-not-ready-error.js';

interface Loaded {
  model: MyModelModel;
  runtime: TextModelRuntime;
}

/** The MyModel plugin: loads a model folder and generates text on the backend it is given. */
export class MyModelPlugin implements TextModelPluginInterface {
  readonly specificationVersion = PLUGIN_SPEC_VERSION;
  readonly kind = 'text' as const;
  readonly metadata: ModelPluginMetadata = {
    name: 'my-model',
    version: '0.1.0',
    description: 'MyModel language models.',
    architectures: ['MyModelForCausalLM'],
    modelTypes: ['my_model'],
    modalities: { input: ['text'], output: ['text'] },
    license: 'Apache-2.0',
    requiredTrust: 'sandboxed',
  };
  private backend: Backend | undefined;
  private validatePath: ((path: string) => Promise<string>) | undefined;
  private state: Loaded | undefined;

  async initialize(options: PluginInitializeOptions): Promise<void> {
    this.backend = options.backend;
    this.validatePath = options.validatePath;
  }

  supportsConfig(config: unknown): boolean {
    return myModelConfigJsonSchema.safeParse(config).success;
  }

  estimateMemory(config: unknown, storage: WeightStorage, options: MemoryEstimateOptions = {}): MemoryEstimate {
    const { hiddenSize, vocabSize, maxPositionEmbeddings } = parseMyModelConfig(config);
    const matrices = 2 * vocabSize * hiddenSize; // embedding + LM head
    const parameters = matrices + hiddenSize;
    const weightBytes = matrices * WEIGHT_STORAGE_BYTES[storage] + hiddenSize * 4;
    const contextLength = resolveContextLength(maxPositionEmbeddings, options.contextLength);
    const runtimeBytes = Math.min(512, contextLength) * (hiddenSize + vocabSize) * 4; // activations and logits of a prefill chunk
    return { storage, parameters, weightBytes, runtimeBytes, contextLength, totalBytes: weightBytes + runtimeBytes };
  }

  async loadModel(options: LoadModelOptions): Promise<void> {
    const backend = this.backend;
    if (!backend) throw new MyModelNotReadyError('initialize({ backend })');
    const dir = this.validatePath ? await this.validatePath(options.modelPath) : options.modelPath;
    const config = parseMyModelConfig(JSON.parse(await readFile(join(dir, 'config.json'), 'utf8')));
    const checkpoint = await openCheckpoint(dir);
    try {
      const { onProgress } = options;
      const source = createWeightSource(backend, checkpoint, {
        storage: options.storage,
        signal: options.signal,
        onProgress: onProgress && ((p) => onProgress({ phase: 'weights', loaded: p.loaded, total: p.total, unit: 'tensors', item: p.name })),
      });
      const model = await MyModelModel.load(backend, source, config, options.storage, options.contextLength);
      source.assertComplete();
      const tokenizer = await loadTokenizer(dir);
      const chatTemplate: ChatTemplate | undefined = await loadChatTemplate(dir).catch(() => undefined);
      const generationDefaults = await loadGenerationConfig(dir);
      const runtime = createTextModelRuntime({ model, tokenizer, chatTemplate, generationDefaults });
      this.state = { model, runtime };
    } finally {
      await checkpoint.close();
    }
  }

  async infer(input: TextInferInput): Promise<TextInferOutput> {
    const { model } = this.loaded();
    const attentionMask = input.attentionMask ?? input.inputIds.map((row) => row.map(() => 1));
    return { logits: await model.infer({ inputIds: input.inputIds, attentionMask }) };
  }

  async cleanup(): Promise<void> {
    this.state?.model.dispose();
    this.state = undefined;
  }

  tokenize(text: string): number[] {
    return this.loaded().runtime.tokenize(text);
  }
  detokenize(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string {
    return this.loaded().runtime.detokenize(ids, options);
  }
  async generate(input: GenerateInput) {
    return this.loaded().runtime.generate(input);
  }
  streamGenerate(input: GenerateInput) {
    return this.loaded().runtime.streamGenerate(input);
  }
  async generateText(prompt: string | ContentPart[], options?: GenerateTextOptions) {
    return this.loaded().runtime.generateText(prompt, options);
  }
  streamText(prompt: string | ContentPart[], options?: GenerateTextOptions) {
    return this.loaded().runtime.streamText(prompt, options);
  }
  async chatCompletion(request: ChatCompletionRequest) {
    return this.loaded().runtime.chatCompletion(request);
  }
  streamChatCompletion(request: ChatCompletionRequest) {
    return this.loaded().runtime.streamChatCompletion(request);
  }

  private loaded(): Loaded {
    if (!this.state) throw new MyModelNotReadyError('loadModel({ modelPath })');
    return this.state;
  }
}

/** Creates a MyModel plugin instance (the factory named in package.json's `pio.export`). */
export function createMyModelPlugin(): MyModelPlugin {
  return new MyModelPlugin();
}
