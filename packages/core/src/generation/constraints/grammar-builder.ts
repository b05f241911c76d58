import { JsonSchemaCompiler } from './compile-json-schema.js';
import type { GrammarNode, StringNode } from './grammar.js';

/**
 * Builds the grammar of a model-specific output format (e.g. a tool call: markup text around JSON arguments) for
 * constrained decoding. Every node of one grammar must come from one builder (node ids key the mask cache).
 */
export class GrammarBuilder {
  private readonly ids = { next: 0 };
  private readonly encoder = new TextEncoder();

  /** Exactly this text. */
  text(text: string): GrammarNode {
    return { kind: 'literal', id: this.ids.next++, values: [this.encoder.encode(text)] };
  }

  /**
   * A JSON value following `schema` (see `compileJsonSchema` for what is supported).
   *
   * @throws {@link UnsupportedSchemaError} for a keyword that cannot be enforced
   */
  json(schema: unknown): GrammarNode {
    return new JsonSchemaCompiler(schema, this.ids).compile();
  }

  /**
   * Plain text following a string schema (lengths, format), without quotes or escapes; it may not contain `<`, and
   * must be followed by a part that starts with `<` (a closing tag).
   *
   * @throws {@link UnsupportedSchemaError} when the schema is not a string schema
   */
  rawString(schema: unknown): StringNode {
    return new JsonSchemaCompiler(schema, this.ids).rawString(schema);
  }

  /** `parts` one after the other. */
  sequence(...parts: GrammarNode[]): GrammarNode {
    return { kind: 'sequence', id: this.ids.next++, parts };
  }

  /** Any one of `options`. */
  choice(...options: GrammarNode[]): GrammarNode {
    return options.length === 1 ? options[0] : { kind: 'choice', id: this.ids.next++, options };
  }

  /** Nothing (an optional part is `choice(part, empty())`). */
  empty(): GrammarNode {
    return this.sequence();
  }
}
