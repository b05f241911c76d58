import { describe, expect, it } from 'vitest';
import { UnsupportedSchemaError } from '../../errors/unsupported-schema-error.js';
import { compileJsonSchema } from './compile-json-schema.js';

/** Schemas a client may send as `response_format` that must be refused with a typed error, never a stack overflow. */
describe('compileJsonSchema refuses references that cannot produce JSON', () => {
  const refused = (schema: unknown): UnsupportedSchemaError => {
    let error: unknown;
    try {
      compileJsonSchema(schema);
    } catch (caught) {
      error = caught;
    }
    expect(UnsupportedSchemaError.isInstance(error), `${JSON.stringify(schema).slice(0, 80)}: ${String(error)}`).toBe(true);
    expect((error as UnsupportedSchemaError).keyword).toBe('$ref');
    return error as UnsupportedSchemaError;
  };

  it('a schema that is only a reference to itself', () => {
    expect(refused({ $ref: '#' }).schemaPath).toBe('#');
  });

  it('definitions that refer to each other and nothing else', () => {
    const error = refused({ $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a' } }, $ref: '#/$defs/a' });
    expect(error.schemaPath).toMatch(/^#\/\$defs\/[ab]$/);
  });

  it('an anyOf that lists its own reference (left recursion), also inside an object property', () => {
    refused({ anyOf: [{ $ref: '#' }, { type: 'string' }] });
    refused({ type: 'object', properties: { v: { $ref: '#/$defs/x' } }, $defs: { x: { oneOf: [{ $ref: '#/$defs/x' }, { type: 'null' }] } } });
  });

  it('a chain of 5000 references, without exhausting the stack', () => {
    const $defs = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`d${i}`, i === 4999 ? { type: 'string' } : { $ref: `#/$defs/d${i + 1}` }]));
    expect(refused({ $defs, $ref: '#/$defs/d0' }).reason).toContain('256');
  });

  it('still compiles recursion that goes through an object or an array', () => {
    const tree = {
      $defs: { node: { type: 'object', properties: { value: { type: 'integer' }, children: { type: 'array', items: { $ref: '#/$defs/node' } } } } },
      $ref: '#/$defs/node',
    };
    expect(() => compileJsonSchema(tree)).not.toThrow();
    expect(() => compileJsonSchema({ anyOf: [{ type: 'array', items: { $ref: '#' } }, { type: 'null' }] })).not.toThrow();
  });
});

describe('compileJsonSchema refuses what plain decimal numbers and the document cannot hold', () => {
  const failure = (schema: unknown): UnsupportedSchemaError => {
    let error: unknown;
    try {
      compileJsonSchema(schema);
    } catch (caught) {
      error = caught;
    }
    expect(UnsupportedSchemaError.isInstance(error), `${JSON.stringify(schema)}: ${String(error)}`).toBe(true);
    return error as UnsupportedSchemaError;
  };

  it('a number range entirely beyond 15 digits', () => {
    expect(failure({ type: 'number', minimum: 1e308 }).keyword).toBe('minimum');
    expect(failure({ type: 'integer', maximum: -1e20 }).keyword).toBe('maximum');
    expect(() => compileJsonSchema({ type: 'number', minimum: -1e300, maximum: 5 })).not.toThrow();
  });

  it('a $ref into an inherited property (__proto__, constructor)', () => {
    for (const ref of ['#/__proto__', '#/constructor', '#/$defs/toString']) {
      const error = failure({ $defs: {}, $ref: ref });
      expect(error.keyword).toBe('$ref');
      expect(error.reason).toContain('does not point into the schema');
    }
  });
});
