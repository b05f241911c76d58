import type { GrammarNode } from './grammar.js';
import { dedupe, isComplete, isFinished, type MatchState, pop, type Stack, stackKey, startState, stepState, type StringFrame } from './json-matcher.js';
import { stringLexState } from './string-lexer.js';
import { TrieWalker } from './trie-walker.js';
import type { TokenConstraint, TokenConstraintState } from './token-constraint.js';
import type { TokenVocabulary } from './token-vocabulary.js';

/** The tokens that may come next in one parse state: `allowed` ids, or (when most are) the `denied` ones instead. */
interface TokenMask {
  readonly ids: Int32Array;
  readonly denied: boolean;
  readonly complete: boolean;
}

/** What may follow a string's end, for one enclosing stack: whether nothing may (`empty`), and the suffix nodes. */
interface SuffixAcceptance {
  readonly empty: boolean;
  readonly nodes: Uint8Array;
}

/** Most cached masks' ids in total (32 MB); the cache is cleared when it would grow beyond. */
const CACHE_IDS = 8_000_000;
/** Most cached suffix acceptances (one per enclosing stack of a string). */
const CACHE_SUFFIXES = 256;

/**
 * Scratch buffers of a vocabulary's size, shared by the constraints over it: each is used within one synchronous call
 * only (marks are cleared before it returns), so 32 memoised constraints do not hold 32 sets.
 */
const scratchBuffers = new WeakMap<TokenVocabulary, { seen: Uint8Array; deny: Uint8Array; scratch: Int32Array; kept: Float32Array }>();

/**
 * A {@link TokenConstraint} generating text of a grammar (compiled JSON Schema or tool-call format) over a model's
 * vocabulary. The mask of a parse state is computed as follows, and cached by parse state:
 * - inside plain string content (the states where nearly every token fits), from the vocabulary's precomputed table
 *   of the string's lexical state (`StringMaskTable`): the tokens staying inside, cut at the characters left, and the
 *   tokens ending the string whose suffix the enclosing value accepts (suffixes checked once each, as a trie) — no
 *   walk over the vocabulary;
 * - elsewhere, by walking the vocabulary's byte trie (`TrieWalker`);
 * - for a state with several stacks (a choice the bytes have not decided yet), as the union of its stacks' masks.
 */
export class JsonTokenConstraint implements TokenConstraint {
  readonly name: string;
  private readonly masks = new Map<string, TokenMask>();
  private cachedIds = 0;
  private readonly suffixes = new Map<string, SuffixAcceptance>();
  private readonly walker: TrieWalker;
  private readonly seen: Uint8Array;
  private readonly deny: Uint8Array;
  private readonly scratch: Int32Array;
  private readonly kept: Float32Array;

  constructor(
    private readonly grammar: GrammarNode,
    private readonly vocabulary: TokenVocabulary,
    name = 'json',
  ) {
    this.name = name;
    this.walker = new TrieWalker(vocabulary);
    let buffers = scratchBuffers.get(vocabulary);
    if (!buffers) {
      const size = vocabulary.size;
      buffers = { seen: new Uint8Array(size), deny: new Uint8Array(size), scratch: new Int32Array(size), kept: new Float32Array(size) };
      scratchBuffers.set(vocabulary, buffers);
    }
    ({ seen: this.seen, deny: this.deny, scratch: this.scratch, kept: this.kept } = buffers);
  }

  start(): TokenConstraintState {
    return new JsonConstraintState(this, startState(this.grammar));
  }

  /** The mask of `state` (from the cache when this state was seen before). */
  maskOf(state: MatchState): TokenMask {
    const key = state.length === 1 ? stackKey(state[0]) : state.map(stackKey).join('#');
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

  /** Sets the logits of the tokens `mask` does not allow to `-Infinity` (EOS only when complete), without allocating. */
  apply(mask: TokenMask, logits: Float32Array, eosTokenIds: ReadonlySet<number>): void {
    const ids = mask.ids;
    const kept = this.kept;
    let e = 0;
    if (mask.complete) for (const id of eosTokenIds) if (id < logits.length) kept[kept.length - 1 - e++] = logits[id];
    if (mask.denied) {
      for (let i = 0; i < ids.length; i++) logits[ids[i]] = -Infinity;
    } else {
      for (let i = 0; i < ids.length; i++) kept[i] = logits[ids[i]];
      logits.fill(-Infinity);
      for (let i = 0; i < ids.length; i++) logits[ids[i]] = kept[i];
    }
    e = 0;
    for (const id of eosTokenIds) if (id < logits.length) logits[id] = mask.complete ? kept[kept.length - 1 - e++] : -Infinity;
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
    if (state.length > 1) return this.union(state, complete);
    const stack = state[0];
    if (stack && stack.f.k === 2 && stack.f.m >= 1) {
      if (!stack.f.n.format) return this.fromTable(stack, stack.f, complete);
      return this.toMask(this.walker.walkString(0, stack, this.scratch, 0), complete);
    }
    return this.toMask(this.walker.walk(0, state, this.scratch, 0), complete);
  }

  /** A mask of the first `count` ids of the scratch array (allowed ids), stored as denied ids when most are allowed. */
  private toMask(count: number, complete: boolean): TokenMask {
    const allowed = this.scratch;
    if (count * 2 <= this.vocabulary.size) return { ids: allowed.slice(0, count), denied: false, complete };
    const seen = this.seen;
    for (let i = 0; i < count; i++) seen[allowed[i]] = 1;
    return { ids: this.unseen(this.vocabulary.size - count), denied: true, complete };
  }

  /** The ids not marked in `seen` (clearing the marks), expecting `count` of them. */
  private unseen(count: number): Int32Array {
    const seen = this.seen;
    const out = new Int32Array(count);
    let d = 0;
    for (let id = 0; id < seen.length; id++) {
      if (seen[id]) seen[id] = 0;
      else out[d++] = id;
    }
    return d === count ? out : out.slice(0, d);
  }

  /** The union of the masks of the stacks of `state`. */
  private union(state: MatchState, complete: boolean): TokenMask {
    const seen = this.seen;
    const size = this.vocabulary.size;
    let allowed = 0;
    const mark = (id: number) => {
      if (!seen[id]) {
        seen[id] = 1;
        allowed++;
      }
    };
    const parts = state.map((stack) => this.maskOf([stack])); // first: computing a part uses the scratch buffers
    for (const part of parts) {
      if (!part.denied) {
        for (const id of part.ids) mark(id);
        continue;
      }
      const deny = this.deny;
      for (const id of part.ids) deny[id] = 1;
      for (let id = 0; id < size; id++) {
        if (deny[id]) deny[id] = 0;
        else mark(id);
      }
    }
    if (allowed * 2 > size) return { ids: this.unseen(size - allowed), denied: true, complete };
    const ids = new Int32Array(allowed);
    let a = 0;
    for (let id = 0; id < size && a < allowed; id++) {
      if (seen[id]) {
        seen[id] = 0;
        ids[a++] = id;
      }
    }
    return { ids, denied: false, complete };
  }

  /**
   * Inside plain string content: the tokens staying inside with at most the characters left, and the tokens ending
   * the string (after at least the characters still required) whose suffix the enclosing stack accepts.
   */
  private fromTable(stack: Stack, frame: StringFrame, complete: boolean): TokenMask {
    const v = this.vocabulary;
    const table = (frame.n.raw ? v.stringTables.raw : v.stringTables.json)[stringLexState(frame)];
    const room = frame.n.maxLength - frame.c;
    const needed = frame.n.minLength - frame.c;
    const { insideIds, insideChars, exitIds, exitChars, exitSuffix } = table;
    let inside = insideChars.length; // tokens with at most `room` characters: a prefix of the table
    if (room < (inside > 0 ? insideChars[inside - 1] : 0)) {
      let lo = 0;
      while (lo < inside) {
        const mid = (lo + inside) >> 1;
        if (insideChars[mid] > room) inside = mid;
        else lo = mid + 1;
      }
    }
    const accepted = this.suffixAcceptance(stack.up);
    const exits = this.scratch;
    let exitCount = 0;
    for (let i = 0; i < exitIds.length; i++) {
      const chars = exitChars[i];
      if (chars > room || chars < needed) continue;
      const node = exitSuffix[i];
      if (node < 0 ? accepted.empty : accepted.nodes[node]) exits[exitCount++] = exitIds[i];
    }
    if (table.outsideIds && (inside + exitCount) * 2 > v.size) {
      const seen = this.seen;
      for (let i = 0; i < exitCount; i++) seen[exits[i]] = 1;
      const denied = new Int32Array(table.outsideIds.length - exitCount + insideIds.length - inside);
      let d = 0;
      for (const id of table.outsideIds) {
        if (seen[id]) seen[id] = 0;
        else denied[d++] = id;
      }
      denied.set(insideIds.subarray(inside), d);
      return { ids: denied, denied: true, complete };
    }
    const ids = new Int32Array(inside + exitCount);
    ids.set(insideIds.subarray(0, inside));
    ids.set(exits.subarray(0, exitCount), inside);
    return { ids, denied: false, complete };
  }

  /** Which suffixes after a string's end `up` (the stack below the string) accepts: a walk of the suffix trie. */
  private suffixAcceptance(up: Stack | null): SuffixAcceptance {
    const key = stackKey(up);
    let acceptance = this.suffixes.get(key);
    if (!acceptance) {
      const popped: (Stack | null)[] = [];
      pop(up, popped);
      const { edgeStart, edgeByte, edgeNode } = this.vocabulary.exits.trie;
      const nodes = new Uint8Array(edgeStart.length - 1);
      const visit = (node: number, state: MatchState): void => {
        for (let e = edgeStart[node]; e < edgeStart[node + 1]; e++) {
          const next = stepState(state, edgeByte[e]);
          if (next.length === 0) continue;
          nodes[edgeNode[e]] = 1;
          visit(edgeNode[e], next);
        }
      };
      visit(0, popped);
      acceptance = { empty: popped.length > 0, nodes };
      if (this.suffixes.size >= CACHE_SUFFIXES) this.suffixes.clear();
      this.suffixes.set(key, acceptance);
    }
    return acceptance;
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

  prepare(): void {
    this.owner.maskOf(this.state);
  }

  mask(logits: Float32Array, eosTokenIds: ReadonlySet<number>): void {
    this.owner.apply(this.owner.maskOf(this.state), logits, eosTokenIds);
  }

  accept(token: number): void {
    const next = this.owner.advance(this.state, token);
    if (next.length === 0) throw new Error(`Token ${token} does not fit the output constraint (it was masked out).`);
    this.state = next;
  }
}
