// A streaming chat with GLM-4.7-Flash: it thinks, may call a tool, and answers with the tool's result.
// Arguments: <model folder>   (see docs/getting-started.md)
import { resolve } from 'node:path';
import { createBestBackend } from '@pio/backend-ggml';
import { createPluginManager, isTextModelPlugin, type ChatMessage, type ToolCall, type ToolDefinition } from '@pio/core';

const modelPath = resolve(process.argv[2] ?? 'models/GLM-4.7-Flash');

// ggml when its native build loads, else the fastest TensorFlow.js engine; `reason` says which and why
const { backend, reason } = await createBestBackend();
console.error(reason);
const manager = createPluginManager({ backend, allowedRoots: [modelPath] });
await manager.discoverPlugins();
const glm = await manager.activatePlugin('glm-flash', { modelPath });
if (!isTextModelPlugin(glm)) throw new Error('glm-flash is a text plugin');

// The tools the model may call, in OpenAI's format, and their implementations.
const tools: ToolDefinition[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'The current weather in a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  },
];
function runTool(call: ToolCall): string {
  const args = JSON.parse(call.function.arguments) as { city?: string };
  return JSON.stringify({ city: args.city ?? 'unknown', temperatureC: 21, sky: 'clear' });
}

const messages: ChatMessage[] = [{ role: 'user', content: 'What is the weather in Paris right now?' }];

for (let round = 0; round < 3; round++) {
  let content = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  const stream = glm.streamChatCompletion({ messages, tools, enableThinking: true, maxNewTokens: 24, temperature: 0 });
  for await (const delta of stream) {
    if (delta.reasoning) reasoning += delta.reasoning; // the thinking, streamed apart from the answer
    if (delta.content) {
      content += delta.content;
      process.stdout.write(delta.content);
    }
    if (delta.toolCalls) toolCalls.push(...delta.toolCalls); // complete calls, once parsed
    if (delta.finishReason) console.log(`\n[round ${round}: ${reasoning.length} chars of thinking, finish: ${delta.finishReason}]`);
  }
  messages.push({ role: 'assistant', content, reasoning_content: reasoning, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) });
  if (toolCalls.length === 0) break; // a final answer
  for (const call of toolCalls) {
    console.log(`[tool ${call.function.name}(${call.function.arguments})]`);
    messages.push({ role: 'tool', tool_call_id: call.id, content: runTool(call) });
  }
}

await manager.dispose();
backend.dispose();
