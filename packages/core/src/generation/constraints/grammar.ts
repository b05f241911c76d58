/**
 * The compiled form of a JSON Schema (or a tool-call format) that the byte-level matcher walks. Nodes may form cycles
 * (recursive `$ref`s). Every node has an `id`, unique within one compilation, used in matcher state keys.
 */
export type GrammarNode = ObjectNode | ArrayNode | StringNode | NumberNode | LiteralNode | ChoiceNode | SequenceNode;

/** A JSON object. Properties are generated in `properties` order; optional ones may be left out. */
export interface ObjectNode {
  readonly kind: 'object';
  readonly id: number;
  /** Known properties in generation order. `keyBytes` is the JSON-encoded key with both quotes. */
  readonly properties: ReadonlyArray<{ readonly name: string; readonly keyBytes: Uint8Array; readonly value: GrammarNode; readonly required: boolean }>;
  /** Value grammar of free-form keys, for objects without `properties` (`{ type: 'object' }`, JSON mode). */
  readonly additional?: GrammarNode;
}

/** A JSON array of `items`, with `minItems`..`maxItems` entries. */
export interface ArrayNode {
  readonly kind: 'array';
  readonly id: number;
  readonly items: GrammarNode;
  readonly minItems: number;
  readonly maxItems: number;
}

/** A JSON string of `minLength`..`maxLength` code points, optionally of a format. */
export interface StringNode {
  readonly kind: 'string';
  readonly id: number;
  readonly minLength: number;
  readonly maxLength: number;
  /** A format's pattern (ASCII, no escapes), when the schema names a supported `format`. */
  readonly format?: FormatPattern;
  /** Raw text: no quotes or escapes, ends before a `<` (which the next part of the grammar must take). */
  readonly raw?: boolean;
}

/** A JSON number in plain decimal notation (no exponent), optionally an integer, optionally bounded. */
export interface NumberNode {
  readonly kind: 'number';
  readonly id: number;
  readonly integer: boolean;
  readonly minimum?: number;
  readonly exclusiveMinimum?: boolean;
  readonly maximum?: number;
  readonly exclusiveMaximum?: boolean;
}

/** One of a few fixed byte strings (compact JSON of `enum`/`const` values, `true`, `false`, `null`, or format text). */
export interface LiteralNode {
  readonly kind: 'literal';
  readonly id: number;
  readonly values: readonly Uint8Array[];
}

/** Any one of `options` (`anyOf`, `oneOf`, type arrays). `target` is filled later for `$ref` placeholders. */
export interface ChoiceNode {
  readonly kind: 'choice';
  readonly id: number;
  options: GrammarNode[];
}

/** `parts` one after the other (tool-call wrappers: literal text around JSON values). */
export interface SequenceNode {
  readonly kind: 'sequence';
  readonly id: number;
  readonly parts: readonly GrammarNode[];
}

/** A string format as a lazily built DFA over ASCII bytes (see `compileFormatPattern`). */
export interface FormatPattern {
  /** The format's name, e.g. `date-time`. */
  readonly name: string;
  /** The start state. */
  readonly start: number;
  /** The state after `byte`, or -1 when the byte cannot come next. */
  step(state: number, byte: number): number;
  /** True when the text so far is a complete match. */
  accepting(state: number): boolean;
}
