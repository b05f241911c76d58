import { createRng } from '../../rng.js';
import type { TokenConstraint } from '../token-constraint.js';
import type { TokenVocabulary } from '../token-vocabulary.js';

/**
 * Drives a constraint with random logits (tests only): at each step random scores, the constraint's mask, then the
 * argmax; stops when the constraint finishes, on EOS, or after `maxSteps`. Returns the output bytes as text.
 */
export function randomWalk(constraint: TokenConstraint, vocabulary: TokenVocabulary, options: { seed: number; eos: number; maxSteps?: number }): { text: string; tokens: number[]; ended: 'finished' | 'eos' | 'length' } {
  const rng = createRng(options.seed);
  const state = constraint.start();
  const tokens: number[] = [];
  const eos = new Set([options.eos]);
  const logits = new Float32Array(vocabulary.size);
  for (let step = 0; step < (options.maxSteps ?? 400); step++) {
    for (let i = 0; i < logits.length; i++) logits[i] = rng.nextFloat();
    state.mask(logits, eos);
    let best = -1;
    for (let i = 0; i < logits.length; i++) if (logits[i] !== -Infinity && (best < 0 || logits[i] > logits[best])) best = i;
    if (best < 0) throw new Error('the mask allowed nothing');
    if (best === options.eos) return { text: decode(vocabulary, tokens), tokens, ended: 'eos' };
    state.accept(best);
    tokens.push(best);
    if (state.finished) return { text: decode(vocabulary, tokens), tokens, ended: 'finished' };
  }
  return { text: decode(vocabulary, tokens), tokens, ended: 'length' };
}

function decode(vocabulary: TokenVocabulary, tokens: number[]): string {
  const parts = tokens.map((t) => vocabulary.bytes[t]!);
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(all);
}
