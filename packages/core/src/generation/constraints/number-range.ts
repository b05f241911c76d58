import type { NumberNode } from './grammar.js';

/** Most digits before, and after, the decimal point (beyond 15 digits a double no longer holds the text exactly). */
export const MAX_NUMBER_DIGITS = 15;

/** Syntax states of a JSON number being written. */
export const NumberSyntax = { Start: 0, Minus: 1, Zero: 2, Int: 3, Dot: 4, Frac: 5 } as const;

/** One of {@link NumberSyntax}. */
export type NumberSyntax = (typeof NumberSyntax)[keyof typeof NumberSyntax];

/** True when some completion of the number text `text` (in syntax state `syntax`) lies in `node`'s range. */
export function numberFeasible(node: NumberNode, text: string, syntax: NumberSyntax): boolean {
  if (node.minimum === undefined && node.maximum === undefined) return true;
  if (syntax === NumberSyntax.Start) return true; // the compiler checked the range is not empty
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  const [intText, fracText] = body.split('.');
  const intDigits = intText ?? '';
  const fits = (lo: number, hi: number, hiOpen: boolean) => intersects(node, negative ? -hi : lo, negative && hiOpen, negative ? -lo : hi, !negative && hiOpen);
  if (syntax === NumberSyntax.Minus) return fits(node.integer ? 1 : 0, Infinity, true); // integers never write "-0"
  const whole = Number(intDigits);
  if (syntax === NumberSyntax.Dot || syntax === NumberSyntax.Frac) {
    const frac = fracText ?? '';
    const lo = Number(`${intDigits}.${frac || '0'}`);
    return fits(lo, lo + 10 ** -frac.length, true);
  }
  if (syntax === NumberSyntax.Zero) return node.integer ? fits(0, 0, false) : fits(0, 1, true);
  for (let k = 0; intDigits.length + k <= MAX_NUMBER_DIGITS; k++) {
    const lo = whole * 10 ** k;
    if (node.integer ? fits(lo, lo + 10 ** k - 1, false) : fits(lo, (whole + 1) * 10 ** k, true)) return true;
  }
  return false;
}

/** True when the complete number `text` lies in `node`'s range. */
export function numberInRange(node: NumberNode, text: string): boolean {
  const value = Number(text);
  return intersects(node, value, false, value, false);
}

/** True when the interval from `lo` to `hi` (ends open as flagged) meets the node's range (integers only for integer nodes). */
function intersects(node: NumberNode, lo: number, loOpen: boolean, hi: number, hiOpen: boolean): boolean {
  let a = lo;
  let aOpen = loOpen;
  let b = hi;
  let bOpen = hiOpen;
  if (node.minimum !== undefined && (node.minimum > a || (node.minimum === a && node.exclusiveMinimum)))
    [a, aOpen] = [node.minimum, node.exclusiveMinimum === true];
  if (node.maximum !== undefined && (node.maximum < b || (node.maximum === b && node.exclusiveMaximum)))
    [b, bOpen] = [node.maximum, node.exclusiveMaximum === true];
  if (node.integer) {
    const first = aOpen ? Math.floor(a) + 1 : Math.ceil(a);
    const last = bOpen ? Math.ceil(b) - 1 : Math.floor(b);
    return first <= last;
  }
  return a < b || (a === b && !aOpen && !bOpen);
}
