import { UnsupportedSchemaError } from '../../errors/unsupported-schema-error.js';
import type { ArrayNode, ChoiceNode, GrammarNode, NumberNode, ObjectNode, StringNode } from './grammar.js';
import { stringFormat, STRING_FORMAT_SOURCES } from './string-formats.js';
import { MAX_NUMBER_DIGITS } from './number-range.js';

/** Keywords that only annotate a schema; they are accepted and have no effect on what is generated. */
const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  '$comment',
  '$anchor',
  'title',
  'description',
  'default',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  'strict',
]);
const HANDLED = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'enum',
  'const',
  'minLength',
  'maxLength',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'anyOf',
  'oneOf',
  '$ref',
  '$defs',
  'definitions',
  'nullable',
]);
const TYPES = ['object', 'array', 'string', 'number', 'integer', 'boolean', 'null'] as const;
type JsonType = (typeof TYPES)[number];
type Schema = Record<string, unknown>;

/** A compiler for one schema document: node ids, `$ref` targets (compiled once, so recursion makes cycles). */
export class JsonSchemaCompiler {
  private readonly refs = new Map<string, GrammarNode>();
  private readonly encoder = new TextEncoder();
  /** `$ref`s being compiled inside one another now (a chain of references, bounded by {@link MAX_REF_DEPTH}). */
  private refDepth = 0;

  /** @param ids - the node-id counter, shared by every compiler building parts of one grammar */
  constructor(
    private readonly root: unknown,
    private readonly ids: { next: number } = { next: 0 },
  ) {}

  /** A fresh node id. */
  id(): number {
    return this.ids.next++;
  }

  /** Compiles the root schema. */
  compile(): GrammarNode {
    const root = this.node(this.root, '#');
    checkProgress(root, (path) =>
      this.fail('$ref', path, 'this reference reaches itself without any JSON in between, so it matches nothing; recurse through an object or an array'),
    );
    return root;
  }

  /** Compiles `schema` found at JSON Pointer `path`. */
  node(schema: unknown, path: string): GrammarNode {
    if (schema === true || (isObject(schema) && Object.keys(schema).every((k) => ANNOTATIONS.has(k) || k === '$defs' || k === 'definitions'))) {
      return this.anyValue();
    }
    if (!isObject(schema)) throw this.fail('(schema)', path, 'a schema must be an object or true');
    for (const key of Object.keys(schema)) {
      if (!ANNOTATIONS.has(key) && !HANDLED.has(key)) throw this.fail(key, path, 'this keyword is not supported by constrained decoding');
    }
    if (schema.$ref !== undefined) {
      if (Object.keys(schema).some((k) => HANDLED.has(k) && k !== '$ref' && k !== '$defs' && k !== 'definitions'))
        throw this.fail('$ref', path, 'a $ref cannot be combined with other keywords');
      return this.ref(schema.$ref, path);
    }
    const alternatives = schema.anyOf ?? schema.oneOf;
    if (alternatives !== undefined) {
      const keyword = schema.anyOf !== undefined ? 'anyOf' : 'oneOf';
      if (schema.anyOf !== undefined && schema.oneOf !== undefined) throw this.fail('oneOf', path, 'use anyOf or oneOf, not both');
      if (!Array.isArray(alternatives) || alternatives.length === 0) throw this.fail(keyword, path, 'it must be a non-empty array of schemas');
      const others = Object.keys(schema).filter((k) => HANDLED.has(k) && !['anyOf', 'oneOf', '$defs', 'definitions', 'nullable'].includes(k));
      if (others.length > 0) throw this.fail(others[0], path, `it cannot be combined with ${keyword}; move it into each alternative`);
      const options = alternatives.map((alt, i) => this.node(alt, `${path}/${keyword}/${i}`));
      if (schema.nullable === true) options.push(this.literal(['null']));
      return this.choice(options);
    }
    if (schema.enum !== undefined || schema.const !== undefined) return this.enumNode(schema, path);
    const types = this.types(schema, path);
    const nodes = types.map((type) => this.typed(type, schema, path));
    return nodes.length === 1 ? nodes[0] : this.choice(nodes);
  }

  /** A node for any JSON value (`{}`): objects with free keys, arrays, strings, numbers, booleans, null. */
  anyValue(): GrammarNode {
    const any: ChoiceNode = { kind: 'choice', id: this.id(), options: [] };
    const object: ObjectNode = { kind: 'object', id: this.id(), properties: [], additional: any };
    const array: ArrayNode = { kind: 'array', id: this.id(), items: any, minItems: 0, maxItems: Infinity };
    any.options.push(object, array, this.string(0, Infinity), { kind: 'number', id: this.id(), integer: false }, this.literal(['true', 'false', 'null']));
    return any;
  }

  /** A literal node of JSON texts. */
  literal(texts: readonly string[]): GrammarNode {
    return { kind: 'literal', id: this.id(), values: texts.map((text) => this.encoder.encode(text)) };
  }

  /** A choice node. */
  choice(options: GrammarNode[]): GrammarNode {
    return options.length === 1 ? options[0] : { kind: 'choice', id: this.id(), options };
  }

  private string(minLength: number, maxLength: number, format?: StringNode['format']): StringNode {
    return { kind: 'string', id: this.id(), minLength, maxLength, ...(format ? { format } : {}) };
  }

  /**
   * A string schema (`type: 'string'` with lengths or a format) as raw text: no quotes, no escapes, and no `<`, so a
   * markup tag can follow (tool-call formats that write string arguments as plain text).
   */
  rawString(schema: unknown, path = '#'): StringNode {
    const node = this.node(schema, path);
    if (node.kind !== 'string') throw this.fail('type', path, 'a raw string argument must have type "string"');
    return { ...node, raw: true };
  }

  private types(schema: Schema, path: string): JsonType[] {
    let types: unknown[];
    if (schema.type === undefined) {
      const implied = new Set<JsonType>();
      if (schema.properties !== undefined || schema.required !== undefined || schema.additionalProperties !== undefined) implied.add('object');
      if (schema.items !== undefined || schema.minItems !== undefined || schema.maxItems !== undefined) implied.add('array');
      if (schema.minLength !== undefined || schema.maxLength !== undefined || schema.format !== undefined) implied.add('string');
      if (['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'].some((k) => schema[k] !== undefined)) implied.add('number');
      if (implied.size !== 1)
        throw this.fail('type', path, implied.size === 0 ? 'the schema has no type; add "type"' : 'the keywords imply several types; add "type"');
      types = [...implied];
    } else types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (types.length === 0 || !types.every((t): t is JsonType => TYPES.includes(t as JsonType)))
      throw this.fail('type', path, `it must be one of ${TYPES.join(', ')} or an array of them`);
    if (schema.nullable === true && !types.includes('null')) types.push('null');
    return types as JsonType[];
  }

  private typed(type: JsonType, schema: Schema, path: string): GrammarNode {
    switch (type) {
      case 'null':
        return this.literal(['null']);
      case 'boolean':
        return this.literal(['true', 'false']);
      case 'string': {
        const min = this.count(schema, 'minLength', path, 0);
        const max = this.count(schema, 'maxLength', path, Infinity);
        if (min > max) throw this.fail('minLength', path, 'minLength is above maxLength');
        if (schema.format === undefined) return this.string(min, max);
        const format = typeof schema.format === 'string' ? stringFormat(schema.format) : undefined;
        if (!format)
          throw this.fail(
            'format',
            path,
            `format ${JSON.stringify(schema.format)} is not supported (supported: ${Object.keys(STRING_FORMAT_SOURCES).join(', ')})`,
          );
        if (schema.minLength !== undefined || schema.maxLength !== undefined) throw this.fail('maxLength', path, 'lengths cannot be combined with a format');
        return this.string(0, Infinity, format);
      }
      case 'number':
      case 'integer':
        return this.number(type === 'integer', schema, path);
      case 'array': {
        const min = this.count(schema, 'minItems', path, 0);
        const max = this.count(schema, 'maxItems', path, Infinity);
        if (min > max) throw this.fail('minItems', path, 'minItems is above maxItems');
        if (Array.isArray(schema.items)) throw this.fail('items', path, 'tuple items (an array of schemas) are not supported');
        const items = schema.items === undefined ? this.anyValue() : this.node(schema.items, `${path}/items`);
        return { kind: 'array', id: this.id(), items, minItems: min, maxItems: max };
      }
      case 'object':
        return this.object(schema, path);
    }
  }

  private object(schema: Schema, path: string): ObjectNode {
    const props = schema.properties ?? {};
    if (!isObject(props)) throw this.fail('properties', path, 'it must be an object');
    const required = schema.required ?? [];
    if (!Array.isArray(required) || !required.every((r) => typeof r === 'string')) throw this.fail('required', path, 'it must be an array of strings');
    const extra = schema.additionalProperties;
    if (extra !== undefined && typeof extra !== 'boolean' && !isObject(extra))
      throw this.fail('additionalProperties', path, 'it must be a boolean or a schema');
    const extraSchema = extra === undefined || extra === true ? true : extra;
    const names = [...Object.keys(props), ...required.filter((name) => !(name in props))];
    if (names.length > Object.keys(props).length && extra === false)
      throw this.fail('required', path, 'a required property is not in properties and additionalProperties is false');
    const properties = [...new Set(names)].map((name) => ({
      name,
      keyBytes: this.encoder.encode(JSON.stringify(name)),
      value: name in props ? this.node(props[name], `${path}/properties/${escapePointer(name)}`) : this.node(extraSchema, `${path}/additionalProperties`),
      required: required.includes(name),
    }));
    if (properties.length > 0 || extra === false) return { kind: 'object', id: this.id(), properties };
    return { kind: 'object', id: this.id(), properties, additional: this.node(extraSchema, `${path}/additionalProperties`) };
  }

  private number(integer: boolean, schema: Schema, path: string): NumberNode {
    const bound = (key: string): number | undefined => {
      const value = schema[key];
      if (value === undefined || typeof value === 'boolean') return undefined;
      if (typeof value !== 'number' || !Number.isFinite(value)) throw this.fail(key, path, 'it must be a finite number');
      return value;
    };
    let minimum = bound('minimum');
    let maximum = bound('maximum');
    let exclusiveMinimum = schema.exclusiveMinimum === true;
    let exclusiveMaximum = schema.exclusiveMaximum === true;
    const exMin = bound('exclusiveMinimum');
    const exMax = bound('exclusiveMaximum');
    if (exMin !== undefined && (minimum === undefined || exMin >= minimum)) [minimum, exclusiveMinimum] = [exMin, true];
    if (exMax !== undefined && (maximum === undefined || exMax <= maximum)) [maximum, exclusiveMaximum] = [exMax, true];
    if (minimum !== undefined && maximum !== undefined) {
      const empty = integer
        ? firstInteger(minimum, exclusiveMinimum) > lastInteger(maximum, exclusiveMaximum)
        : minimum > maximum || (minimum === maximum && (exclusiveMinimum || exclusiveMaximum));
      if (empty) throw this.fail('minimum', path, 'no number lies in the range');
    }
    // numbers are written in plain decimal notation with at most MAX_NUMBER_DIGITS digits before the point
    const largest = 10 ** MAX_NUMBER_DIGITS;
    if (minimum !== undefined && minimum >= largest) throw this.fail('minimum', path, `numbers are generated below ${largest} in magnitude`);
    if (maximum !== undefined && maximum <= -largest) throw this.fail('maximum', path, `numbers are generated below ${largest} in magnitude`);
    return {
      kind: 'number',
      id: this.id(),
      integer,
      ...(minimum === undefined ? {} : { minimum, exclusiveMinimum }),
      ...(maximum === undefined ? {} : { maximum, exclusiveMaximum }),
    };
  }

  private enumNode(schema: Schema, path: string): GrammarNode {
    const keyword = schema.const !== undefined ? 'const' : 'enum';
    const values = schema.const !== undefined ? [schema.const] : schema.enum;
    if (!Array.isArray(values) || values.length === 0) throw this.fail('enum', path, 'it must be a non-empty array');
    const extra = Object.keys(schema).find((k) => HANDLED.has(k) && !['enum', 'const', 'type', 'nullable', '$defs', 'definitions'].includes(k));
    if (extra) throw this.fail(extra, path, `it cannot be combined with ${keyword}`);
    const texts = [...new Set(values.map((v) => JSON.stringify(v)))];
    if (texts.some((t) => t === undefined)) throw this.fail(keyword, path, 'values must be JSON values');
    return this.literal(texts);
  }

  private ref(ref: unknown, path: string): GrammarNode {
    if (typeof ref !== 'string' || !(ref === '#' || ref.startsWith('#/')))
      throw this.fail('$ref', path, `only local references ("#/$defs/name") are supported, got ${JSON.stringify(ref)}`);
    const known = this.refs.get(ref);
    if (known) return known;
    let target: unknown = this.root;
    for (const part of ref === '#' ? [] : ref.slice(2).split('/')) {
      const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
      if (!isObject(target) || !Object.hasOwn(target, key)) throw this.fail('$ref', path, `${ref} does not point into the schema`);
      target = target[key];
    }
    if (this.refDepth >= MAX_REF_DEPTH) throw this.fail('$ref', path, `references nest more than ${MAX_REF_DEPTH} deep`);
    const placeholder: ChoiceNode = { kind: 'choice', id: this.id(), options: [] };
    refPaths.set(placeholder, ref);
    this.refs.set(ref, placeholder);
    this.refDepth += 1;
    try {
      placeholder.options.push(this.node(target, ref));
    } finally {
      this.refDepth -= 1;
    }
    return placeholder;
  }

  private count(schema: Schema, key: string, path: string, fallback: number): number {
    const value = schema[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw this.fail(key, path, 'it must be an integer >= 0');
    return value;
  }

  private fail(keyword: string, schemaPath: string, reason: string): UnsupportedSchemaError {
    return new UnsupportedSchemaError({ keyword, schemaPath, reason });
  }
}

/**
 * Compiles a JSON Schema into the grammar structured output generates from. Supported: `type` (and type arrays,
 * `nullable`), `properties`/`required`/`additionalProperties`, `items`/`minItems`/`maxItems`, `enum`/`const`,
 * `minLength`/`maxLength`, `format` (date, time, date-time, uuid, email, ipv4), `minimum`/`maximum`/`exclusive*`,
 * `anyOf`/`oneOf`, local `$ref` with `$defs`/`definitions` (recursion included); annotations are accepted.
 *
 * Objects are generated with their properties in `properties` order, optional ones possibly left out, and no
 * properties beyond those listed (free-form keys only for objects that list none).
 *
 * @throws {@link UnsupportedSchemaError} naming the first keyword that cannot be enforced
 */
export function compileJsonSchema(schema: unknown): GrammarNode {
  return new JsonSchemaCompiler(schema).compile();
}

/** Deepest chain of `$ref`s compiled inside one another (each a few stack frames of the compiler). */
const MAX_REF_DEPTH = 256;

/** The `$ref` each reference placeholder stands for (for messages). */
const refPaths = new WeakMap<GrammarNode, string>();

/**
 * Refuses a grammar in which a choice reaches itself through choices only (`{ $ref: '#' }`, two `$defs` referring to
 * each other, an `anyOf` listing its own reference): such a rule matches no input and would send the matcher into
 * endless recursion. Cycles through an object or an array consume a `{` or `[` first and are fine.
 */
function checkProgress(root: GrammarNode, fail: (path: string) => Error): void {
  const done = new Set<GrammarNode>();
  const onPath = new Set<GrammarNode>();
  const stack: Array<{ node: GrammarNode; next: number }> = [];
  const visit = (start: GrammarNode): void => {
    if (done.has(start)) return;
    stack.push({ node: start, next: 0 });
    onPath.add(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const node = top.node;
      const children = node.kind === 'choice' ? node.options : [];
      if (top.next < children.length) {
        const child = children[top.next++];
        if (onPath.has(child)) throw fail(refPaths.get(child) ?? '#');
        if (!done.has(child)) {
          stack.push({ node: child, next: 0 });
          onPath.add(child);
        }
        continue;
      }
      stack.pop();
      onPath.delete(node);
      done.add(node);
    }
  };
  // every choice of the grammar, wherever it sits (inside objects, arrays and sequences too)
  const seen = new Set<GrammarNode>();
  const all: GrammarNode[] = [root];
  while (all.length > 0) {
    const node = all.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    if (node.kind === 'choice') {
      visit(node);
      all.push(...node.options);
    } else if (node.kind === 'object') {
      all.push(...node.properties.map((p) => p.value), ...(node.additional ? [node.additional] : []));
    } else if (node.kind === 'array') all.push(node.items);
    else if (node.kind === 'sequence') all.push(...node.parts);
  }
}

function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escapePointer(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

function firstInteger(min: number, exclusive: boolean): number {
  return exclusive ? Math.floor(min) + 1 : Math.ceil(min);
}

function lastInteger(max: number, exclusive: boolean): number {
  return exclusive ? Math.ceil(max) - 1 : Math.floor(max);
}
