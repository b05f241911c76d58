// Talk to `pio serve` over its OpenAI-compatible HTTP API with plain fetch (any OpenAI client works the same way).
// Start the server first: pio serve --model models/Qwen3-VL-2B-Instruct
// Arguments: http://127.0.0.1:8080 Qwen3-VL-2B-Instruct
import { argv } from 'node:process';

const [baseUrl = 'http://127.0.0.1:8080', model = 'Qwen3-VL-2B-Instruct'] = argv.slice(2);
const headers = { 'content-type': 'application/json' }; // add `authorization: Bearer <key>` when served with --api-key

// The models the server holds.
const models = (await (await fetch(`${baseUrl}/v1/models`, { headers })).json()) as { data: Array<{ id: string }> };
console.log('models:', models.data.map((m) => m.id).join(', '));

// One chat completion.
const response = await fetch(`${baseUrl}/v1/chat/completions`, {
  method: 'POST',
  headers,
  body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 8, temperature: 0 }),
});
const completion = (await response.json()) as {
  choices: Array<{ message: { content: string }; finish_reason: string }>;
  usage: { completion_tokens: number };
};
console.log('answer:', completion.choices[0].message.content);
console.log(`finish: ${completion.choices[0].finish_reason}, ${completion.usage.completion_tokens} tokens`);

// The same request, streamed as server-sent events: one `data: {json}` line per chunk, then `data: [DONE]`.
const stream = await fetch(`${baseUrl}/v1/chat/completions`, {
  method: 'POST',
  headers,
  body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 8, temperature: 0, stream: true }),
});
let streamed = '';
let buffered = '';
for await (const bytes of stream.body!.pipeThrough(new TextDecoderStream())) {
  buffered += bytes;
  const lines = buffered.split('\n');
  buffered = lines.pop()!;
  for (const line of lines) {
    if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
    const chunk = JSON.parse(line.slice(6)) as { choices: Array<{ delta: { content?: string } }> };
    streamed += chunk.choices[0]?.delta.content ?? '';
  }
}
console.log('streamed:', streamed);
