/**
 * A byte trie over a vocabulary's token bytes, in flat arrays: node `n`'s edges are `edgeByte`/`edgeNode` from
 * `edgeStart[n]` to `edgeStart[n + 1]`, and the tokens whose bytes end at `n` are `tokenIds` from `tokenStart[n]` to
 * `tokenStart[n + 1]`. Node 0 is the root (the empty prefix). Nodes are numbered depth-first, so the subtree of `n` is
 * the nodes `n` to `subtreeEnd[n] - 1`, and its tokens are `tokenIds` from `tokenStart[n]` to
 * `tokenStart[subtreeEnd[n]]`.
 */
export interface TokenTrie {
  readonly edgeStart: Int32Array;
  readonly edgeByte: Uint8Array;
  readonly edgeNode: Int32Array;
  readonly tokenStart: Int32Array;
  readonly tokenIds: Int32Array;
  readonly subtreeEnd: Int32Array;
}

/** Builds the trie of `tokens` (`undefined` or empty entries are left out). */
export function buildTokenTrie(tokens: readonly (Uint8Array | undefined)[]): TokenTrie {
  // Sorting the token ids by their bytes makes every trie node's children contiguous in a depth-first numbering.
  const ids: number[] = [];
  tokens.forEach((bytes, id) => bytes && bytes.length > 0 && ids.push(id));
  ids.sort((a, b) => compareBytes(tokens[a]!, tokens[b]!));
  const children: number[][] = [[]];
  const bytesOf: number[] = [0];
  const ends: number[][] = [[]];
  const path: number[] = [0]; // node at each depth of the previous token
  let previous: Uint8Array = new Uint8Array(0);
  for (const id of ids) {
    const bytes = tokens[id]!;
    let common = 0;
    while (common < bytes.length && common < previous.length && bytes[common] === previous[common]) common++;
    path.length = common + 1;
    for (let d = common; d < bytes.length; d++) {
      const node = children.length;
      children.push([]);
      ends.push([]);
      bytesOf.push(bytes[d]);
      children[path[d]].push(node);
      path.push(node);
    }
    ends[path[bytes.length]].push(id);
    previous = bytes;
  }
  const count = children.length;
  const edgeStart = new Int32Array(count + 1);
  const tokenStart = new Int32Array(count + 1);
  for (let n = 0; n < count; n++) {
    edgeStart[n + 1] = edgeStart[n] + children[n].length;
    tokenStart[n + 1] = tokenStart[n] + ends[n].length;
  }
  const edgeByte = new Uint8Array(edgeStart[count]);
  const edgeNode = new Int32Array(edgeStart[count]);
  const tokenIds = new Int32Array(tokenStart[count]);
  for (let n = 0; n < count; n++) {
    children[n].forEach((child, i) => {
      edgeByte[edgeStart[n] + i] = bytesOf[child];
      edgeNode[edgeStart[n] + i] = child;
    });
    ends[n].forEach((id, i) => (tokenIds[tokenStart[n] + i] = id));
  }
  const subtreeEnd = new Int32Array(count);
  for (let n = count - 1; n >= 0; n--) subtreeEnd[n] = edgeStart[n + 1] > edgeStart[n] ? subtreeEnd[edgeNode[edgeStart[n + 1] - 1]] : n + 1;
  return { edgeStart, edgeByte, edgeNode, tokenStart, tokenIds, subtreeEnd };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}
