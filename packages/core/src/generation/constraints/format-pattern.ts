import type { FormatPattern } from './grammar.js';

type Ast =
  | { t: 'set'; bytes: Uint8Array } // 256 flags
  | { t: 'seq'; items: Ast[] }
  | { t: 'alt'; items: Ast[] }
  | { t: 'rep'; item: Ast; min: number; max: number }; // max Infinity for * and +

/**
 * Compiles a small regular expression (literal ASCII, `[a-z0-9._-]` classes, `\d`, groups, `|`, `?`, `*`, `+`,
 * `{m}`, `{m,n}`; implicitly anchored, case-sensitive) into a {@link FormatPattern}: a Thompson NFA whose DFA states
 * are built on first use and memoised, so a step is one table look-up after warm-up.
 */
export function compileFormatPattern(name: string, source: string): FormatPattern {
  const ast = new RegexParser(source).parse();
  const nfa = new Nfa();
  const accept = nfa.add();
  const start = nfa.build(ast, accept);
  const sets: number[][] = [];
  const ids = new Map<string, number>();
  const table: Int32Array[] = [];
  const accepting: boolean[] = [];
  const intern = (states: number[]): number => {
    const closed = nfa.closure(states);
    const key = closed.join(',');
    let id = ids.get(key);
    if (id === undefined) {
      id = sets.length;
      ids.set(key, id);
      sets.push(closed);
      table.push(new Int32Array(256).fill(-2)); // -2: not computed yet
      accepting.push(closed.includes(accept));
    }
    return id;
  };
  const startId = intern([start]);
  return {
    name,
    start: startId,
    step(state, byte) {
      const row = table[state];
      let next = row[byte];
      if (next === -2) {
        const targets: number[] = [];
        for (const s of sets[state]) {
          const edge = nfa.edges[s];
          if (edge && edge.bytes[byte]) targets.push(edge.to);
        }
        next = targets.length === 0 ? -1 : intern(targets);
        row[byte] = next;
      }
      return next;
    },
    accepting: (state) => accepting[state],
  };
}

class Nfa {
  /** Byte transitions (at most one per state) and epsilon transitions. */
  readonly edges: Array<{ bytes: Uint8Array; to: number } | undefined> = [];
  readonly eps: number[][] = [];

  add(): number {
    this.eps.push([]);
    this.edges.push(undefined);
    return this.eps.length - 1;
  }

  /** Builds `ast` ending in `end`; returns its start state. */
  build(ast: Ast, end: number): number {
    switch (ast.t) {
      case 'set': {
        const s = this.add();
        this.edges[s] = { bytes: ast.bytes, to: end };
        return s;
      }
      case 'seq':
        return ast.items.reduceRight((next, item) => this.build(item, next), end);
      case 'alt': {
        const s = this.add();
        for (const item of ast.items) this.eps[s].push(this.build(item, end));
        return s;
      }
      case 'rep': {
        let next = end;
        if (ast.max === Infinity) {
          const loop = this.add();
          this.eps[loop].push(end, this.build(ast.item, loop));
          next = loop;
        } else {
          for (let i = ast.min; i < ast.max; i++) {
            const opt = this.add();
            this.eps[opt].push(end, this.build(ast.item, next));
            next = opt;
          }
        }
        for (let i = 0; i < ast.min; i++) next = this.build(ast.item, next);
        return next;
      }
    }
  }

  closure(states: number[]): number[] {
    const seen = new Set<number>();
    const stack = [...states];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (seen.has(s)) continue;
      seen.add(s);
      stack.push(...this.eps[s]);
    }
    return [...seen].sort((a, b) => a - b);
  }
}

class RegexParser {
  private pos = 0;
  constructor(private readonly src: string) {}

  parse(): Ast {
    const ast = this.alt();
    if (this.pos !== this.src.length) throw new Error(`format pattern: unexpected "${this.src[this.pos]}" at ${this.pos}`);
    return ast;
  }

  private alt(): Ast {
    const items = [this.seq()];
    while (this.src[this.pos] === '|') {
      this.pos++;
      items.push(this.seq());
    }
    return items.length === 1 ? items[0] : { t: 'alt', items };
  }

  private seq(): Ast {
    const items: Ast[] = [];
    while (this.pos < this.src.length && this.src[this.pos] !== '|' && this.src[this.pos] !== ')') items.push(this.quantified());
    return { t: 'seq', items };
  }

  private quantified(): Ast {
    let item = this.atom();
    for (;;) {
      const c = this.src[this.pos];
      if (c === '?') item = { t: 'rep', item, min: 0, max: 1 };
      else if (c === '*') item = { t: 'rep', item, min: 0, max: Infinity };
      else if (c === '+') item = { t: 'rep', item, min: 1, max: Infinity };
      else if (c === '{') {
        const close = this.src.indexOf('}', this.pos);
        const [min, max] = this.src.slice(this.pos + 1, close).split(',');
        item = { t: 'rep', item, min: Number(min), max: max === undefined ? Number(min) : Number(max) };
        this.pos = close;
      } else return item;
      this.pos++;
    }
  }

  private atom(): Ast {
    const c = this.src[this.pos++];
    if (c === '(') {
      const inner = this.alt();
      this.pos++; // ')'
      return inner;
    }
    if (c === '[') {
      const bytes = new Uint8Array(256);
      while (this.src[this.pos] !== ']') {
        const from = this.char();
        if (this.src[this.pos] === '-' && this.src[this.pos + 1] !== ']') {
          this.pos++;
          const to = this.char();
          for (let b = from; b <= to; b++) bytes[b] = 1;
        } else bytes[from] = 1;
      }
      this.pos++;
      return { t: 'set', bytes };
    }
    this.pos--;
    if (this.src.startsWith('\\d', this.pos)) {
      this.pos += 2;
      const bytes = new Uint8Array(256);
      bytes.fill(1, 48, 58);
      return { t: 'set', bytes };
    }
    const bytes = new Uint8Array(256);
    bytes[this.char()] = 1;
    return { t: 'set', bytes };
  }

  private char(): number {
    if (this.src[this.pos] === '\\') this.pos++;
    return this.src.charCodeAt(this.pos++);
  }
}
