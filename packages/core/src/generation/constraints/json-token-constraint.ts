import type { GrammarNode } from './grammar.js';
import { dedupe, isComplete, isFinished, type MatchState, stackKey, startState, stepState, type StringFrame } from './json-matcher.js';
import type { TokenConstraint, TokenConstraintState } from './token-constraint.js';
import type { TokenVocabulary } from './token-vocabulary.js';

/** The tokens that may come next in one parse state: `allowed` ids, or (when most are) the `denied` ones instead. */
interface TokenMask {
  readonly ids: Int32Array;
  readonly denied: boolean;
  readonly complete: boolean;
}

/** Most cached masks' ids in total (32 MB); the cache is cleared when it would grow beyond. */
const CACHE_IDS = 8_000_000;

/**
 * A {@link TokenConstraint} generating text of a grammar (compiled JSON Schema or tool-call format) over a model's
 * vocabulary. The mask of a parse state is computed by walking the vocabulary's byte trie with the matcher, pruning
 * every subtree whose prefix the grammar rejects; inside a plain string, the precomputed string-content tokens are
 * taken as a block and only tokens with a `"` or `\` are walked. Masks are cached by parse state.
 */
export class JsonTokenConstraint implements TokenConstraint {
  readonly name: string;
  private readonly masks = new Map<string, TokenMask>();
  private cachedIds = 0;
  private readonly seen: Uint8Array;
  private readonly scratch: Int32Array;

  constructor(
    private readonly grammar: GrammarNode,
    private readonly vocabulary: TokenVocabulary,
    name = 'json',
  ) {
    this.name = name;
    this.seen = new Uint8Array(vocabulary.size);
    this.scratch = new Int32Array(vocabulary.size);
  }

  start(): TokenConstraintState {
    return new JsonConstraintState(this, startState(this.grammar));
  }

  /** The mask of `state` (from the cache when this state was seen before). */
  maskOf(state: MatchState): TokenMask {
    const key = state.map(stackKey).join('#');
    let mask = this.masks.get(key);
    if (!mask) {
      mask = this.compute(state);
      if (this.cachedIds + mask.ids.length > CACHE_IDS) {
        this.masks.clear();
        this.cachedIds = 0;
      }
      this.masks.set(key, mask);
      this.cachedIds += mask.ids.length;
    }
    return mask;
  }

  /** The state after `token`'s bytes (empty when not allowed). */
  advance(state: MatchState, token: number): MatchState {
    const bytes = this.vocabulary.bytes[token];
    if (!bytes) return [];
    let next: MatchState = state;
    for (let i = 0; i < bytes.length && next.length > 0; i++) next = stepState(next, bytes[i]);
    return next.length > 1 ? dedupe([...next]) : next;
  }

  private compute(state: MatchState): TokenMask {
    const complete = isComplete(state);
    const single = state.length === 1 ? state[0] : null;
    const top = single?.f;
    if (top && top.k === 2 && top.m === 1 && top.need === 0 && !top.n.format && !top.n.raw)
      return { ids: this.stringContent(single!, top), denied: true, complete };
    const allowed = this.scratch;
    const count = this.walk(0, state, allowed, 0);
    if (count * 2 <= this.vocabulary.size) return { ids: allowed.slice(0, count), denied: false, complete };
    const seen = this.seen;
    for (let i = 0; i < count; i++) seen[allowed[i]] = 1;
    const denied = new Int32Array(this.vocabulary.size - count);
    let d = 0;
    for (let id = 0; id < seen.length; id++) {
      if (seen[id]) seen[id] = 0;
      else denied[d++] = id;
    }
    return { ids: denied.subarray(0, d), denied: true, complete };
  }

  /**
   * Depth-first walk of the trie below `node` with the matcher, writing the tokens whose bytes are accepted into
   * `allowed` from `count` on; returns the new count.
   */
  private walk(node: number, state: MatchState, allowed: Int32Array, count: number): number {
    const { edgeStart, edgeByte, edgeNode, tokenStart, tokenIds } = this.vocabulary.trie;
    for (let e = edgeStart[node]; e < edgeStart[node + 1]; e++) {
      const next = stepState(state, edgeByte[e]);
      if (next.length === 0) continue;
      const child = edgeNode[e];
      for (let t = tokenStart[child]; t < tokenStart[child + 1]; t++) allowed[count++] = tokenIds[t];
      if (edgeStart[child + 1] > edgeStart[child]) count = this.walk(child, next, allowed, count);
    }
    return count;
  }

  /**
   * Inside a plain string, the denied tokens: content tokens longer than the room left (a tail of the tokens sorted by
   * characters), and the other tokens except those that close the string or escape where the grammar allows it.
   */
  private stringContent(stack: NonNullable<MatchState[number]>, frame: StringFrame): Int32Array {
    const v = this.vocabulary;
    const room = frame.n.maxLength - frame.c;
    const seen = this.seen;
    let allowedBreaks = 0;
    for (let i = 0; i < v.breakIds.length; i++) {
      const chars = v.breakChars[i];
      if (chars > room) continue;
      const bytes = v.bytes[v.breakIds[i]]!;
      let state: MatchState = [{ f: { ...frame, c: frame.c + chars }, up: stack.up }];
      for (let b = v.breakOffset[i]; b < bytes.length && state.length > 0; b++) state = stepState(state, bytes[b]);
      if (state.length > 0) {
        seen[v.breakIds[i]] = 1;
        allowedBreaks++;
      }
    }
    let first = v.sortedChars.length; // first content token longer than the room
    if (room !== Infinity) {
      let lo = 0;
      while (lo < first) {
        const mid = (lo + first) >> 1;
        if (v.sortedChars[mid] > room) first = mid;
        else lo = mid + 1;
      }
    }
    const denied = new Int32Array(v.nonContentIds.length - allowedBreaks + v.sortedChars.length - first);
    let d = 0;
    for (const id of v.nonContentIds) {
      if (seen[id]) seen[id] = 0;
      else denied[d++] = id;
    }
    denied.set(v.contentByChars.subarray(first), d);
    return denied;
  }
}

class JsonConstraintState implements TokenConstraintState {
  constructor(
    private readonly owner: JsonTokenConstraint,
    private state: MatchState,
  ) {}

  get finished(): boolean {
    return isFinished(this.state);
  }

  mask(logits: Float32Array, eosTokenIds: ReadonlySet<number>): void {
    const mask = this.owner.maskOf(this.state);
    const eos: number[] = [];
    if (mask.complete) for (const id of eosTokenIds) if (id < logits.length) eos.push(id);
    const eosLogits = eos.map((id) => logits[id]);
    if (mask.denied) {
      for (const id of mask.ids) logits[id] = -Infinity;
    } else {
      const kept = new Float32Array(mask.ids.length);
      for (let i = 0; i < kept.length; i++) kept[i] = logits[mask.ids[i]];
      logits.fill(-Infinity);
      for (let i = 0; i < kept.length; i++) logits[mask.ids[i]] = kept[i];
    }
    if (!mask.complete) for (const id of eosTokenIds) if (id < logits.length) logits[id] = -Infinity;
    eos.forEach((id, i) => (logits[id] = eosLogits[i]));
  }

  accept(token: number): void {
    const next = this.owner.advance(this.state, token);
    if (next.length === 0) throw new Error(`Token ${token} does not fit the output constraint (it was masked out).`);
    this.state = next;
  }
}
