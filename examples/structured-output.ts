// Structured output: JSON that follows a schema, and a forced tool call, by constrained decoding.
// Arguments: <model folder>   (see docs/structured-output.md)
import { resolve } from 'node:path';
import { createBestBackend } from '@pio/backend-ggml';
import { createPluginManager, isTextModelPlugin, type ToolDefinition } from '@pio/core';

const modelPath = resolve(process.argv[2] ?? 'models/Qwen3-VL-2B-Instruct');

const { backend } = await createBestBackend();
const manager = createPluginManager({ backend, allowedRoots: [modelPath] });
await manager.discoverPlugins();
const qwen = await manager.activatePlugin('qwen3-vl', { modelPath });
if (!isTextModelPlugin(qwen)) throw new Error('qwen3-vl is a text plugin');

// 1. A JSON Schema: the answer parses and validates by construction (unless cut short by maxNewTokens).
const schema = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 16 },
    population: { type: 'integer', minimum: 0, maximum: 50_000_000 },
    founded: { type: 'string', format: 'date' },
    tags: { type: 'array', items: { enum: ['capital', 'port', 'old'] }, maxItems: 2 },
  },
  required: ['name', 'population', 'tags'],
  additionalProperties: false,
};
const answer = await qwen.chatCompletion({
  messages: [{ role: 'user', content: 'Describe Paris as JSON.' }],
  responseFormat: { type: 'json_schema', schema },
  temperature: 0,
  maxNewTokens: 200,
});
console.log(`[${answer.finishReason}] ${answer.message.content}`);
const city = JSON.parse(answer.message.content ?? '') as { name: string; tags: string[] };
console.log(`name: ${city.name}, tags: ${city.tags.join(', ') || '(none)'}`);

// 2. A forced tool call: the model must call get_weather, with arguments that follow its parameters.
const tools: ToolDefinition[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string', maxLength: 16 }, unit: { enum: ['celsius', 'fahrenheit'] } },
        required: ['city', 'unit'],
      },
    },
  },
];
const call = await qwen.chatCompletion({
  messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
  tools,
  toolChoice: { name: 'get_weather' },
  temperature: 0,
  maxNewTokens: 100,
});
const [toolCall] = call.message.tool_calls ?? [];
console.log(`[${call.finishReason}] ${toolCall.function.name}(${toolCall.function.arguments})`);
await manager.dispose();
backend.dispose();
