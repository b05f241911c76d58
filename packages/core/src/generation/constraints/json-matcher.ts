import type { ArrayNode, GrammarNode, LiteralNode, NumberNode, ObjectNode, SequenceNode, StringNode } from './grammar.js';
import { MAX_NUMBER_DIGITS, NumberSyntax, numberFeasible, numberInRange } from './number-range.js';

/** A parse position in one grammar node. Frames are immutable; a step makes new ones. */
export type Frame = ObjectFrame | ArrayFrame | StringFrame | NumberFrame | LiteralFrame | SequenceFrame;

/** Object: `m` 0 expects `{`, 1 a key or `}`, 2 inside a known key, 3 `:`, 4 `,` or `}`, 5 a key, 6 `:` after a free key. */
export interface ObjectFrame {
  readonly k: 0;
  readonly n: ObjectNode;
  readonly m: number;
  readonly i: number;
  readonly c: readonly number[];
  readonly p: number;
}
/** Array: `m` 0 expects `[`, 1 `,` or `]` after `count` items. */
export interface ArrayFrame {
  readonly k: 1;
  readonly n: ArrayNode;
  readonly m: number;
  readonly count: number;
}
/**
 * String: `m` 0 expects `"`, 1 content, 2 after `\`, 3 inside `\u` (`u` hex digits left); `c` code points so far;
 * `need` UTF-8 continuation bytes still due, the next in `lo`..`hi`; `d` the format's DFA state.
 */
export interface StringFrame {
  readonly k: 2;
  readonly n: StringNode;
  readonly m: number;
  readonly c: number;
  readonly need: number;
  readonly lo: number;
  readonly hi: number;
  readonly u: number;
  readonly d: number;
}
/** Number: syntax state and, for bounded numbers, the text so far. */
export interface NumberFrame {
  readonly k: 3;
  readonly n: NumberNode;
  readonly s: NumberSyntax;
  readonly t: string;
  readonly ints: number;
  readonly fracs: number;
}
/** Literal: candidates still matching after `p` bytes. */
export interface LiteralFrame {
  readonly k: 4;
  readonly n: LiteralNode;
  readonly c: readonly number[];
  readonly p: number;
}
/** Sequence: the next part to push. */
export interface SequenceFrame {
  readonly k: 5;
  readonly n: SequenceNode;
  readonly i: number;
}

/** A stack of frames, innermost first. `null` is the empty stack: the value is complete. */
export interface Stack {
  readonly f: Frame;
  readonly up: Stack | null;
}

/** A matcher state: the stacks still alive (a set, for choices the next bytes have not decided yet). */
export type MatchState = readonly (Stack | null)[];

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]);

/** The start state of `node`. */
export function startState(node: GrammarNode): MatchState {
  const out: (Stack | null)[] = [];
  push(node, null, out);
  return out;
}

/** The state after `byte`; empty when the byte cannot come next. */
export function stepState(state: MatchState, byte: number): (Stack | null)[] {
  const out: (Stack | null)[] = [];
  for (const stack of state) stepStack(stack, byte, out);
  return out;
}

/** True when the bytes so far form a complete value (the generation may end here). */
export function isComplete(state: MatchState): boolean {
  for (const stack of state) {
    if (stack === null) return true;
    if (stack.f.k === 3 && numberCanEnd(stack.f)) {
      const popped: (Stack | null)[] = [];
      pop(stack.up, popped);
      if (popped.includes(null)) return true;
    }
  }
  return false;
}

/** True when the value is complete and nothing may follow. */
export function isFinished(state: MatchState): boolean {
  return state.length > 0 && state.every((stack) => stack === null);
}

/** Pushes the start frames of `node` over `below` (several stacks for choices). */
export function push(node: GrammarNode, below: Stack | null, out: (Stack | null)[]): void {
  switch (node.kind) {
    case 'object':
      out.push({ f: { k: 0, n: node, m: 0, i: 0, c: EMPTY, p: 0 }, up: below });
      return;
    case 'array':
      out.push({ f: { k: 1, n: node, m: 0, count: 0 }, up: below });
      return;
    case 'string':
      out.push({ f: { k: 2, n: node, m: node.raw ? 1 : 0, c: 0, need: 0, lo: 0, hi: 0, u: 0, d: node.format ? node.format.start : 0 }, up: below });
      return;
    case 'number':
      out.push({ f: { k: 3, n: node, s: NumberSyntax.Start, t: '', ints: 0, fracs: 0 }, up: below });
      return;
    case 'literal':
      out.push({ f: { k: 4, n: node, c: node.values.map((_, i) => i), p: 0 }, up: below });
      return;
    case 'choice':
      for (const option of node.options) push(option, below, out);
      return;
    case 'sequence':
      settle({ f: { k: 5, n: node, i: 0 }, up: below }, out);
      return;
  }
}

const EMPTY: readonly number[] = [];

/** Resolves a sequence frame on top: pushes its next part, or pops it when done. */
function settle(stack: Stack, out: (Stack | null)[]): void {
  const frame = stack.f as SequenceFrame;
  if (frame.i >= frame.n.parts.length) pop(stack.up, out);
  else push(frame.n.parts[frame.i], { f: { k: 5, n: frame.n, i: frame.i + 1 }, up: stack.up }, out);
}

/** Returns to `up` after a value ended (settling sequence frames), writing the resulting stacks to `out`. */
export function pop(up: Stack | null, out: (Stack | null)[]): void {
  if (up !== null && up.f.k === 5) settle(up, out);
  else out.push(up);
}

function replace(stack: Stack, f: Frame, out: (Stack | null)[]): void {
  out.push({ f, up: stack.up });
}

function stepStack(stack: Stack | null, b: number, out: (Stack | null)[]): void {
  if (stack === null) return;
  const f = stack.f;
  switch (f.k) {
    case 0:
      return stepObject(stack, f, b, out);
    case 1:
      return stepArray(stack, f, b, out);
    case 2:
      return stepString(stack, f, b, out);
    case 3:
      return stepNumber(stack, f, b, out);
    case 4:
      return stepLiteral(stack, f, b, out);
    case 5:
      return; // settled eagerly, never on top
  }
}

/** Index after `from` of the first required property, or the property count: keys `from`..that index may come next. */
function candidates(node: ObjectNode, from: number): number[] {
  const out: number[] = [];
  for (let j = from; j < node.properties.length; j++) {
    out.push(j);
    if (node.properties[j].required) break;
  }
  return out;
}

function mayClose(node: ObjectNode, from: number): boolean {
  for (let j = from; j < node.properties.length; j++) if (node.properties[j].required) return false;
  return true;
}

function stepObject(stack: Stack, f: ObjectFrame, b: number, out: (Stack | null)[]): void {
  const node = f.n;
  switch (f.m) {
    case 0:
      if (b === 0x7b) replace(stack, { ...f, m: 1 }, out);
      return;
    case 1:
    case 5:
      if (b === 0x7d && f.m === 1 && mayClose(node, f.i)) return pop(stack.up, out);
      if (b !== QUOTE) return;
      if (node.additional) {
        const key: StringFrame = { k: 2, n: FREE_KEY, m: 1, c: 0, need: 0, lo: 0, hi: 0, u: 0, d: 0 };
        out.push({ f: key, up: { f: { ...f, m: 6 }, up: stack.up } });
        return;
      }
      {
        const cands = candidates(node, f.i);
        if (cands.length > 0) replace(stack, { ...f, m: 2, c: cands, p: 1 }, out);
      }
      return;
    case 2: {
      const next: number[] = [];
      let chosen = -1;
      for (const j of f.c) {
        const key = node.properties[j].keyBytes;
        if (key[f.p] === b) {
          if (f.p + 1 === key.length) chosen = j;
          else next.push(j);
        }
      }
      if (chosen >= 0) replace(stack, { ...f, m: 3, i: chosen, c: EMPTY, p: 0 }, out);
      if (next.length > 0) replace(stack, { ...f, c: next, p: f.p + 1 }, out);
      return;
    }
    case 3:
      if (b === 0x3a) push(node.properties[f.i].value, { f: { ...f, m: 4, i: f.i + 1 }, up: stack.up }, out);
      return;
    case 4:
      if (b === 0x7d && mayClose(node, f.i)) return pop(stack.up, out);
      if (b === 0x2c && (node.additional || f.i < node.properties.length)) replace(stack, { ...f, m: 5 }, out);
      return;
    case 6:
      if (b === 0x3a) push(node.additional!, { f: { ...f, m: 4 }, up: stack.up }, out);
      return;
  }
}

/** The node of free-form object keys. */
const FREE_KEY: StringNode = { kind: 'string', id: -1, minLength: 0, maxLength: Infinity };

function stepArray(stack: Stack, f: ArrayFrame, b: number, out: (Stack | null)[]): void {
  const node = f.n;
  if (f.m === 0) {
    if (b !== 0x5b) return;
    if (node.minItems === 0) out.push({ f: { ...f, m: 1, count: -1 }, up: stack.up }); // `]` right away
    if (node.maxItems > 0) push(node.items, { f: { ...f, m: 1, count: 1 }, up: stack.up }, out);
    return;
  }
  if (b === 0x5d && (f.count === -1 || f.count >= node.minItems)) return pop(stack.up, out);
  if (b === 0x2c && f.count >= 1 && f.count < node.maxItems) push(node.items, { f: { ...f, count: f.count + 1 }, up: stack.up }, out);
}

function stepString(stack: Stack, f: StringFrame, b: number, out: (Stack | null)[]): void {
  const node = f.n;
  if (f.m === 0) {
    if (b === QUOTE) replace(stack, { ...f, m: 1 }, out);
    return;
  }
  if (node.raw && b === 0x3c && f.need === 0) {
    // `<` ends raw text; the byte goes to what follows.
    if (node.format ? !node.format.accepting(f.d) : f.c < node.minLength) return;
    const popped: (Stack | null)[] = [];
    pop(stack.up, popped);
    for (const next of popped) stepStack(next, b, out);
    return;
  }
  if (node.format) {
    if (b === QUOTE && !node.raw) {
      if (node.format.accepting(f.d)) pop(stack.up, out);
      return;
    }
    const d = node.format.step(f.d, b);
    if (d >= 0) replace(stack, { ...f, d }, out);
    return;
  }
  if (f.m === 2) {
    if (ESCAPES.has(b)) replace(stack, { ...f, m: 1 }, out);
    else if (b === 0x75) replace(stack, { ...f, m: 3, u: 4 }, out);
    return;
  }
  if (f.m === 3) {
    const hex = (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46);
    if (!hex) return;
    if (f.u === 4 && (b === 0x64 || b === 0x44))
      replace(stack, { ...f, u: 3, lo: 1 }, out); // \uD…: only D000–D7FF (no lone surrogates)
    else if (f.u === 3 && f.lo === 1) {
      if (b >= 0x30 && b <= 0x37) replace(stack, { ...f, u: 2, lo: 0 }, out);
    } else replace(stack, f.u === 1 ? { ...f, m: 1, u: 0 } : { ...f, u: f.u - 1 }, out);
    return;
  }
  if (f.need > 0) {
    if (b >= f.lo && b <= f.hi) replace(stack, f.need === 1 ? { ...f, need: 0, lo: 0, hi: 0 } : { ...f, need: f.need - 1, lo: 0x80, hi: 0xbf }, out);
    return;
  }
  if (b === QUOTE && !node.raw) {
    if (f.c >= node.minLength) pop(stack.up, out);
    return;
  }
  if (f.c >= node.maxLength || (b < 0x20 && !(node.raw && (b === 0x0a || b === 0x09)))) return;
  if (b === BACKSLASH && !node.raw) return replace(stack, { ...f, m: 2, c: f.c + 1 }, out);
  if (b < 0x80) return replace(stack, { ...f, c: f.c + 1 }, out);
  const lead = utf8Lead(b);
  if (lead !== 0) replace(stack, { ...f, c: f.c + 1, need: lead & 3, lo: (lead >> 2) & 0xff, hi: (lead >> 10) & 0xff }, out);
}

/**
 * For a UTF-8 lead byte: continuation bytes due (low 2 bits) and the range of the first one (bits 2–9 low, 10–17
 * high), excluding overlong forms and surrogates; 0 for bytes that cannot start a character.
 */
export function utf8Lead(b: number): number {
  const pack = (need: number, lo: number, hi: number) => need | (lo << 2) | (hi << 10);
  if (b >= 0xc2 && b <= 0xdf) return pack(1, 0x80, 0xbf);
  if (b === 0xe0) return pack(2, 0xa0, 0xbf);
  if (b === 0xed) return pack(2, 0x80, 0x9f);
  if (b >= 0xe1 && b <= 0xef) return pack(2, 0x80, 0xbf);
  if (b === 0xf0) return pack(3, 0x90, 0xbf);
  if (b >= 0xf1 && b <= 0xf3) return pack(3, 0x80, 0xbf);
  if (b === 0xf4) return pack(3, 0x80, 0x8f);
  return 0;
}

function numberCanEnd(f: NumberFrame): boolean {
  if (f.s !== NumberSyntax.Zero && f.s !== NumberSyntax.Int && f.s !== NumberSyntax.Frac) return false;
  return f.n.minimum === undefined && f.n.maximum === undefined ? true : numberInRange(f.n, f.t);
}

function stepNumber(stack: Stack, f: NumberFrame, b: number, out: (Stack | null)[]): void {
  const digit = b >= 0x30 && b <= 0x39;
  let s: NumberSyntax | -1 = -1;
  let { ints, fracs } = f;
  switch (f.s) {
    case NumberSyntax.Start:
      s = b === 0x2d ? NumberSyntax.Minus : b === 0x30 ? NumberSyntax.Zero : digit ? NumberSyntax.Int : -1;
      break;
    case NumberSyntax.Minus: // no "-0" integers
      s = b === 0x30 ? (f.n.integer ? -1 : NumberSyntax.Zero) : digit ? NumberSyntax.Int : -1;
      break;
    case NumberSyntax.Zero:
    case NumberSyntax.Int:
      if (digit && f.s === NumberSyntax.Int && ints < MAX_NUMBER_DIGITS) s = NumberSyntax.Int;
      else if (b === 0x2e && !f.n.integer) s = NumberSyntax.Dot;
      break;
    case NumberSyntax.Dot:
    case NumberSyntax.Frac:
      if (digit && fracs < MAX_NUMBER_DIGITS) s = NumberSyntax.Frac;
      break;
  }
  if (s !== -1) {
    if (s === NumberSyntax.Int || s === NumberSyntax.Zero) ints++;
    if (s === NumberSyntax.Frac) fracs++;
    const bounded = f.n.minimum !== undefined || f.n.maximum !== undefined;
    const t = bounded ? f.t + String.fromCharCode(b) : '';
    if (!bounded || numberFeasible(f.n, t, s)) replace(stack, { k: 3, n: f.n, s, t, ints, fracs }, out);
    return;
  }
  if (!numberCanEnd(f)) return;
  const popped: (Stack | null)[] = [];
  pop(stack.up, popped);
  for (const next of popped) stepStack(next, b, out);
}

function stepLiteral(stack: Stack, f: LiteralFrame, b: number, out: (Stack | null)[]): void {
  const values = f.n.values;
  const next: number[] = [];
  let ended = false;
  for (const c of f.c) {
    const value = values[c];
    if (value[f.p] !== b) continue;
    if (f.p + 1 === value.length) ended = true;
    else next.push(c);
  }
  if (ended) pop(stack.up, out);
  if (next.length > 0) replace(stack, { ...f, c: next, p: f.p + 1 }, out);
}

/** Drops stacks with the same parse position (same {@link stackKey}). */
export function dedupe(stacks: (Stack | null)[]): (Stack | null)[] {
  const seen = new Set<string>();
  const out: (Stack | null)[] = [];
  for (const stack of stacks) {
    const key = stackKey(stack);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(stack);
  }
  return out;
}

/** A string identifying a stack's parse position (equal keys accept the same continuations). */
export function stackKey(stack: Stack | null): string {
  let key = '';
  for (let s = stack; s !== null; s = s.up) key += frameKey(s.f) + '|';
  return key;
}

function frameKey(f: Frame): string {
  switch (f.k) {
    case 0:
      return `o${f.n.id}.${f.m}.${f.i}.${f.p}.${f.c.join(',')}`;
    case 1:
      return `a${f.n.id}.${f.m}.${f.count}`;
    case 2:
      return `s${f.n.id}.${f.m}.${f.n.maxLength === Infinity && f.c >= f.n.minLength ? '*' : f.c}.${f.need}.${f.lo}.${f.hi}.${f.u}.${f.d}`;
    case 3:
      return `n${f.n.id}.${f.s}.${f.t}.${f.ints}.${f.fracs}`;
    case 4:
      return `l${f.n.id}.${f.p}.${f.c.join(',')}`;
    case 5:
      return `q${f.n.id}.${f.i}`;
  }
}
