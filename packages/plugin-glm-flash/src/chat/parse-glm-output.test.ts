import type { ToolDefinition } from '@pio/core';
import { describe, expect, it } from 'vitest';
import { GlmOutputStreamParser, type GlmOutputDelta } from './glm-output-stream-parser.js';
import { parseGlmOutput } from './parse-glm-output.js';

const makeId = (() => {
  let n = 0;
  return () => `call_${n++}`;
})();

const weatherTool: ToolDefinition = {
  type: 'function',
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { city: { type: 'string' }, zip: { type: 'string' }, days: { type: 'integer' } } },
  },
};

describe('parseGlmOutput', () => {
  it('separates reasoning from the answer when the prompt ended in <think>', () => {
    expect(parseGlmOutput('Add two and two.</think>It is 4.', { startsInReasoning: true })).toEqual({
      content: 'It is 4.',
      reasoning: 'Add two and two.',
      toolCalls: [],
    });
  });

  it('treats text with no </think> as reasoning only when the prompt opened a think block', () => {
    expect(parseGlmOutput('still thinking', { startsInReasoning: true })).toEqual({ content: '', reasoning: 'still thinking', toolCalls: [] });
    expect(parseGlmOutput('just an answer')).toEqual({ content: 'just an answer', toolCalls: [] });
  });

  it('reads an explicit <think> block and a bare </think> (thinking-off prompts echo nothing)', () => {
    expect(parseGlmOutput('<think>plan</think>\nanswer')).toEqual({ content: 'answer', reasoning: 'plan', toolCalls: [] });
    expect(parseGlmOutput('</think>answer')).toEqual({ content: 'answer', toolCalls: [] });
  });

  it('parses tool calls into OpenAI shape, JSON-parsing values that are JSON', () => {
    const out = parseGlmOutput(
      'Call it.</think><tool_call>get_weather<arg_key>city</arg_key><arg_value>Paris</arg_value>' +
        '<arg_key>days</arg_key><arg_value>2</arg_value><arg_key>opts</arg_key><arg_value>{"a": [1, true]}</arg_value></tool_call>',
      { startsInReasoning: true, makeId },
    );
    expect(out.reasoning).toBe('Call it.');
    expect(out.content).toBe('');
    expect(out.toolCalls).toHaveLength(1);
    expect(out.toolCalls[0].type).toBe('function');
    expect(out.toolCalls[0].function.name).toBe('get_weather');
    expect(JSON.parse(out.toolCalls[0].function.arguments)).toEqual({ city: 'Paris', days: 2, opts: { a: [1, true] } });
  });

  it('keeps string-typed parameters as text, parses several calls and keeps surrounding text as content', () => {
    const text =
      'Checking both.\n<tool_call>get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n<arg_key>zip</arg_key>\n<arg_value>75001</arg_value>\n</tool_call>\n' +
      '<tool_call>get_weather<arg_key>city</arg_key><arg_value>Lyon</arg_value><arg_key>days</arg_key><arg_value>3</arg_value></tool_call>';
    const out = parseGlmOutput(text, { tools: [weatherTool], makeId });
    expect(out.content).toBe('Checking both.');
    expect(out.toolCalls.map((c) => [c.function.name, JSON.parse(c.function.arguments)])).toEqual([
      ['get_weather', { city: 'Paris', zip: '75001' }],
      ['get_weather', { city: 'Lyon', days: 3 }],
    ]);
    expect(new Set(out.toolCalls.map((c) => c.id)).size).toBe(2);
  });

  it('parses a tool call cut off before </tool_call> as far as it goes', () => {
    const out = parseGlmOutput('<tool_call>get_weather<arg_key>city</arg_key><arg_value>Rome</arg_value>');
    expect(JSON.parse(out.toolCalls[0].function.arguments)).toEqual({ city: 'Rome' });
  });
});

function streamAll(text: string, chunk: number, startsInReasoning: boolean): GlmOutputDelta[] {
  const parser = new GlmOutputStreamParser({ startsInReasoning, makeId });
  const out: GlmOutputDelta[] = [];
  for (let i = 0; i < text.length; i += chunk) out.push(...parser.push(text.slice(i, i + chunk)));
  out.push(...parser.finish());
  return out;
}

function collect(deltas: GlmOutputDelta[]) {
  return {
    reasoning: deltas.map((d) => d.reasoning ?? '').join(''),
    content: deltas.map((d) => d.content ?? '').join(''),
    calls: deltas.flatMap((d) => d.toolCalls ?? []).map((c) => [c.function.name, JSON.parse(c.function.arguments)]),
  };
}

describe('GlmOutputStreamParser', () => {
  const text =
    'Think about <b> tags and </thi-ish text.</think>Answer with a < sign.<tool_call>get_weather<arg_key>city</arg_key><arg_value>Oslo</arg_value></tool_call>';

  it.each([1, 2, 3, 7, 1000])('gives the same parts as parseGlmOutput for chunks of %i characters', (chunk) => {
    const whole = parseGlmOutput(text, { startsInReasoning: true, makeId });
    const streamed = collect(streamAll(text, chunk, true));
    expect(streamed.reasoning).toBe(whole.reasoning);
    expect(streamed.content.trim()).toBe(whole.content);
    expect(streamed.calls).toEqual(whole.toolCalls.map((c) => [c.function.name, JSON.parse(c.function.arguments)]));
  });

  it('emits reasoning before the answer arrives, and holds back a possible marker prefix', () => {
    const parser = new GlmOutputStreamParser({ startsInReasoning: true });
    expect(parser.push('Let me think')).toEqual([{ reasoning: 'Let me think' }]);
    expect(parser.push(' more</th')).toEqual([{ reasoning: ' more' }]);
    expect(parser.push('ink>Hi')).toEqual([{ content: 'Hi' }]);
    expect(parser.finish()).toEqual([]);
  });

  it('detects a leading <think> when the prompt did not open one', () => {
    expect(collect(streamAll('<think>a</think>b', 1, false))).toEqual({ reasoning: 'a', content: 'b', calls: [] });
    expect(collect(streamAll('plain answer', 2, false))).toEqual({ reasoning: '', content: 'plain answer', calls: [] });
  });
});
