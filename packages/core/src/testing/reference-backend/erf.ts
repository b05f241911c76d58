const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2 / sqrt(pi)
const ONE_OVER_SQRT_PI = 0.5641895835477563; // 1 / sqrt(pi)

/**
 * The error function to double precision.
 *
 * For |x| < 2 it sums the series `erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n 2^n x^(2n+1) / (1*3*...*(2n+1))`, whose terms
 * are all positive (no cancellation). For |x| >= 2 it evaluates the continued fraction of `erfc` backwards.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a >= 6) return Math.sign(x); // erfc(6) ~ 2e-17: 1 to double precision
  if (a < 2) {
    const x2 = x * x;
    let term = x;
    let sum = x;
    for (let n = 0; n < 200; n++) {
      term *= (2 * x2) / (2 * n + 3);
      sum += term;
      if (Math.abs(term) < 1e-17 * Math.abs(sum)) break;
    }
    return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  }
  return Math.sign(x) * (1 - erfcLarge(a));
}

/** `erfc(x)` for x >= 2: `exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))`. */
function erfcLarge(x: number): number {
  let tail = x;
  for (let k = 120; k >= 1; k--) tail = x + k / 2 / tail;
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / tail;
}
