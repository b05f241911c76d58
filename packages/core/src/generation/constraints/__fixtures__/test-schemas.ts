/** Schemas the constrained-decoding tests generate from (tests only); each one's outputs are validated with ajv. */
export const TEST_SCHEMAS: Record<string, Record<string, unknown>> = {
  person: {
    type: 'object',
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 20 },
      age: { type: 'integer', minimum: 0, maximum: 120 },
      email: { type: 'string', format: 'email' },
      nickname: { type: ['string', 'null'], maxLength: 10 },
    },
    required: ['name', 'age'],
    additionalProperties: false,
  },
  formats: {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      day: { type: 'string', format: 'date' },
      at: { type: 'string', format: 'time' },
      when: { type: 'string', format: 'date-time' },
      ip: { type: 'string', format: 'ipv4' },
    },
    required: ['id', 'day', 'at', 'when', 'ip'],
  },
  numbers: {
    type: 'object',
    properties: {
      ratio: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
      delta: { type: 'integer', minimum: -50, exclusiveMaximum: -10 },
      big: { type: 'integer', minimum: 1000 },
      any: { type: 'number' },
    },
    required: ['ratio', 'delta', 'big', 'any'],
  },
  lists: {
    type: 'object',
    properties: {
      colors: { type: 'array', items: { enum: ['red', 'green', 'blue', 42, null] }, minItems: 2, maxItems: 4 },
      matrix: { type: 'array', items: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 9 }, maxItems: 3 }, maxItems: 2 },
      fixed: { const: { a: [1, 'x'] } },
    },
    required: ['colors', 'matrix', 'fixed'],
  },
  choices: {
    type: 'object',
    properties: {
      shape: {
        oneOf: [
          { type: 'object', properties: { kind: { const: 'circle' }, r: { type: 'number', minimum: 0 } }, required: ['kind', 'r'], additionalProperties: false },
          { type: 'object', properties: { kind: { const: 'square' }, side: { type: 'integer', minimum: 1 } }, required: ['kind', 'side'], additionalProperties: false },
        ],
      },
      flag: { anyOf: [{ type: 'boolean' }, { type: 'string', maxLength: 5 }] },
      note: { type: 'string', maxLength: 8, nullable: true },
    },
    required: ['shape', 'flag'],
  },
  recursive: {
    $defs: {
      node: {
        type: 'object',
        properties: { label: { type: 'string', maxLength: 6 }, children: { type: 'array', items: { $ref: '#/$defs/node' }, maxItems: 2 } },
        required: ['label'],
      },
    },
    $ref: '#/$defs/node',
  },
  topArray: { type: 'array', items: { type: 'string', maxLength: 3 }, minItems: 1, maxItems: 3 },
};
