import { utf8Lead, type StringFrame } from './json-matcher.js';

/**
 * The lexical states inside a plain (format-less) string: between characters, waiting for UTF-8 continuation bytes
 * (each lead byte's allowed range), after `\`, and inside `\u` escapes. Everything a string frame needs to decide
 * which bytes may come next, apart from its length counters — a finite set, so the tokens each state accepts are
 * computed once per vocabulary (see `StringMaskTable`).
 */
export const StringLex = {
  Boundary: 0,
  /** One continuation byte due, 80–BF. */
  Cont1: 1,
  /** Two due, the first A0–BF (after E0), 80–9F (after ED), or 80–BF; three due, the first 90–BF, 80–BF or 80–8F. */
  E0: 2,
  ED: 3,
  Cont2: 4,
  F0: 5,
  Cont3: 6,
  F4: 7,
  /** After `\`. */
  Escape: 8,
  /** Inside `\u`: four hex digits due; three after `D` (then 0–7 only, no surrogates); three; two; one. */
  U4: 9,
  U3D: 10,
  U3: 11,
  U2: 12,
  U1: 13,
} as const;

/** Number of {@link StringLex} states. */
export const STRING_LEX_STATES = 14;

/** Step result: the byte closes the string (JSON `"`, consumed) or ends raw text (`<`, left for what follows). */
export const LEX_EXIT = -2;
/** Step result flag: the byte starts a character (it counts towards `maxLength`). */
export const LEX_CHAR = 0x100;

const tables = new Map<boolean, Int16Array>();

/**
 * The transition table of plain string content: entry `state * 256 + byte` is the next {@link StringLex} state (with
 * {@link LEX_CHAR} when the byte starts a character), -1 when the byte cannot come next, or {@link LEX_EXIT}. `raw`
 * text has no quotes or escapes, allows tab and newline, and ends before `<`. Length limits are left to the caller.
 */
export function stringLexTable(raw: boolean): Int16Array {
  let table = tables.get(raw);
  if (!table) {
    table = new Int16Array(STRING_LEX_STATES * 256).fill(-1);
    for (let b = 0; b < 256; b++) {
      table[StringLex.Boundary * 256 + b] = boundaryStep(b, raw);
      if (b >= 0x80 && b <= 0xbf) {
        table[StringLex.Cont1 * 256 + b] = StringLex.Boundary;
        table[StringLex.Cont2 * 256 + b] = StringLex.Cont1;
        table[StringLex.Cont3 * 256 + b] = StringLex.Cont2;
      }
      if (b >= 0xa0 && b <= 0xbf) table[StringLex.E0 * 256 + b] = StringLex.Cont1;
      if (b >= 0x80 && b <= 0x9f) table[StringLex.ED * 256 + b] = StringLex.Cont1;
      if (b >= 0x90 && b <= 0xbf) table[StringLex.F0 * 256 + b] = StringLex.Cont2;
      if (b >= 0x80 && b <= 0x8f) table[StringLex.F4 * 256 + b] = StringLex.Cont2;
      if (raw) continue;
      if (ESCAPES.includes(b)) table[StringLex.Escape * 256 + b] = StringLex.Boundary;
      if (b === 0x75) table[StringLex.Escape * 256 + b] = StringLex.U4;
      if (isHex(b)) {
        table[StringLex.U4 * 256 + b] = b === 0x64 || b === 0x44 ? StringLex.U3D : StringLex.U3;
        if (b >= 0x30 && b <= 0x37) table[StringLex.U3D * 256 + b] = StringLex.U2;
        table[StringLex.U3 * 256 + b] = StringLex.U2;
        table[StringLex.U2 * 256 + b] = StringLex.U1;
        table[StringLex.U1 * 256 + b] = StringLex.Boundary;
      }
    }
    tables.set(raw, table);
  }
  return table;
}

const ESCAPES = [0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74];

function isHex(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46);
}

function boundaryStep(b: number, raw: boolean): number {
  if (raw ? b === 0x3c : b === 0x22) return LEX_EXIT;
  if (b < 0x20) return raw && (b === 0x0a || b === 0x09) ? StringLex.Boundary | LEX_CHAR : -1;
  if (b === 0x5c && !raw) return StringLex.Escape | LEX_CHAR;
  if (b < 0x80) return StringLex.Boundary | LEX_CHAR;
  const lead = utf8Lead(b);
  if (lead === 0) return -1;
  return continuationState(lead & 3, (lead >> 2) & 0xff, (lead >> 10) & 0xff) | LEX_CHAR;
}

function continuationState(need: number, lo: number, hi: number): number {
  if (need === 1) return StringLex.Cont1;
  if (need === 2) return lo === 0xa0 ? StringLex.E0 : hi === 0x9f ? StringLex.ED : StringLex.Cont2;
  return lo === 0x90 ? StringLex.F0 : hi === 0x8f ? StringLex.F4 : StringLex.Cont3;
}

/** The {@link StringLex} state of a plain string frame in its content (`m` ≥ 1). */
export function stringLexState(f: StringFrame): number {
  if (f.m === 2) return StringLex.Escape;
  if (f.m === 3) return f.u === 4 ? StringLex.U4 : f.u === 3 ? (f.lo === 1 ? StringLex.U3D : StringLex.U3) : f.u === 2 ? StringLex.U2 : StringLex.U1;
  return f.need === 0 ? StringLex.Boundary : continuationState(f.need, f.lo, f.hi);
}
