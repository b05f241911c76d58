/**
 * Test helper: a loopback HTTP server that serves one model repository the way the Hugging Face Hub does
 * (revision API, paginated tree API, `resolve` with `X-Repo-Commit` / `ETag` / `X-Linked-Etag` / `X-Linked-Size`,
 * LFS files redirected to a second "CDN" server that honours Range requests), with switches to drop, stall or
 * corrupt a transfer. Only listens on 127.0.0.1.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A file of the fake repository. */
export interface FakeRepoFile {
  path: string;
  content: Uint8Array;
  /** Stored with Git LFS (redirected to the CDN, hashed with sha256). */
  lfs: boolean;
}

/** A request the fake servers received. */
export interface RecordedRequest {
  server: 'hub' | 'cdn';
  method: string;
  url: string;
  range: string | undefined;
  authorization: string | undefined;
}

/** Switches that change how the next transfers behave. */
export interface FakeHubBehaviour {
  /** path → bytes after which the CDN/hub destroys the connection (once). */
  dropAfter: Map<string, number>;
  /** path → bytes after which the transfer stalls until the client gives up (once). */
  stallAfter: Map<string, number>;
  /** Paths served with one byte flipped. */
  corrupt: Set<string>;
  /** Answer Range requests with the whole file (HTTP 200). */
  ignoreRange: boolean;
  /** When set, the Hub requires `Authorization: Bearer <token>` (HTTP 401 otherwise). */
  token: string | undefined;
}

/** A running fake Hub. */
export interface FakeHub {
  readonly hubUrl: string;
  readonly cdnUrl: string;
  readonly repoId: string;
  readonly commit: string;
  readonly requests: RecordedRequest[];
  readonly behaviour: FakeHubBehaviour;
  /** sha256 hex of a file's content. */
  sha256(path: string): string;
  /** git blob id of a file's content (`sha1("blob <size>\0" + content)`). */
  gitOid(content: Uint8Array): string;
  close(): Promise<void>;
}

/** `sha1("blob <size>\0" + content)`, as git names blobs. */
export function gitBlobId(content: Uint8Array): string {
  return createHash('sha1').update(`blob ${content.byteLength}\0`).update(content).digest('hex');
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

/** Starts a fake Hub serving `files` of `repoId` at `commit` (branch `main`). */
export async function startFakeHub(repoId: string, commit: string, files: FakeRepoFile[], pageSize = 3): Promise<FakeHub> {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const sha = new Map(files.map((f) => [f.path, createHash('sha256').update(f.content).digest('hex')]));
  const requests: RecordedRequest[] = [];
  const behaviour: FakeHubBehaviour = { dropAfter: new Map(), stallAfter: new Map(), corrupt: new Set(), ignoreRange: false, token: undefined };
  const sockets = new Set<Socket>();
  const record = (server: 'hub' | 'cdn', req: IncomingMessage) =>
    requests.push({ server, method: req.method ?? 'GET', url: req.url ?? '', range: req.headers.range, authorization: req.headers.authorization });

  const pointer = (f: FakeRepoFile) => new TextEncoder().encode(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha.get(f.path)}\nsize ${f.content.byteLength}\n`);
  const treeEntry = (f: FakeRepoFile) =>
    f.lfs
      ? { type: 'file', oid: gitBlobId(pointer(f)), size: f.content.byteLength, path: f.path, lfs: { oid: sha.get(f.path), size: f.content.byteLength, pointerSize: pointer(f).byteLength } }
      : { type: 'file', oid: gitBlobId(f.content), size: f.content.byteLength, path: f.path };

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  function sendContent(req: IncomingMessage, res: ServerResponse, f: FakeRepoFile, headers: Record<string, string>): void {
    let content = f.content;
    if (behaviour.corrupt.has(f.path)) {
      content = Uint8Array.from(content);
      content[content.length >> 1] ^= 0xff;
    }
    let start = 0;
    const match = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (match && !behaviour.ignoreRange) start = Number(match[1]);
    if (start >= content.byteLength && content.byteLength > 0) {
      res.writeHead(416, { 'content-range': `bytes */${content.byteLength}` });
      res.end();
      return;
    }
    const body = content.subarray(start);
    const status = match && !behaviour.ignoreRange ? 206 : 200;
    res.writeHead(status, {
      ...headers,
      'accept-ranges': 'bytes',
      'content-length': String(body.byteLength),
      ...(status === 206 ? { 'content-range': `bytes ${start}-${content.byteLength - 1}/${content.byteLength}` } : {}),
    });
    const drop = behaviour.dropAfter.get(f.path);
    const stall = behaviour.stallAfter.get(f.path);
    if (drop !== undefined && drop < body.byteLength) {
      behaviour.dropAfter.delete(f.path);
      res.write(body.subarray(0, drop), () => setTimeout(() => res.socket?.destroy(), 20));
    } else if (stall !== undefined && stall < body.byteLength) {
      behaviour.stallAfter.delete(f.path);
      res.write(body.subarray(0, stall)); // never ends: the client aborts
    } else {
      res.end(body);
    }
  }

  const [org, name] = repoId.split('/');
  const hub = createServer((req, res) => {
    record('hub', req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const parts = url.pathname.split('/').map(decodeURIComponent);
    if (behaviour.token !== undefined && req.headers.authorization !== `Bearer ${behaviour.token}`) {
      return json(res, 401, { error: 'Invalid credentials in Authorization header' }, { 'x-error-code': 'GatedRepo' });
    }
    const repoMatches = (a: string, b: string) => a === org && b === name;
    // /api/models/{org}/{name}/revision/{rev}
    if (parts[1] === 'api' && parts[2] === 'models' && parts[5] === 'revision') {
      if (!repoMatches(parts[3], parts[4])) return json(res, 404, { error: 'Repository not found' }, { 'x-error-code': 'RepoNotFound' });
      const rev = parts.slice(6).join('/');
      if (rev !== 'main' && rev !== commit) return json(res, 404, { error: `Invalid rev id: ${rev}` }, { 'x-error-code': 'RevisionNotFound' });
      return json(res, 200, { _id: 'x', id: repoId, sha: commit, private: false, gated: false, downloads: 0, likes: 0, lastModified: '2025-01-01T00:00:00.000Z', siblings: files.map((f) => ({ rfilename: f.path })) });
    }
    // /api/models/{org}/{name}/tree/{rev}
    if (parts[1] === 'api' && parts[2] === 'models' && parts[5] === 'tree') {
      if (!repoMatches(parts[3], parts[4])) return json(res, 404, { error: 'Repository not found' }, { 'x-error-code': 'RepoNotFound' });
      if (parts[6] !== commit && parts[6] !== 'main') return json(res, 404, { error: 'Revision not found' }, { 'x-error-code': 'RevisionNotFound' });
      const cursor = Number(url.searchParams.get('cursor') ?? '0');
      const page = files.slice(cursor, cursor + pageSize).map(treeEntry);
      const next = cursor + pageSize < files.length ? `<${hubUrl}${url.pathname}?recursive=true&expand=false&cursor=${cursor + pageSize}>; rel="next"` : undefined;
      return json(res, 200, page, next ? { link: next } : {});
    }
    // /{org}/{name}/resolve/{rev}/{path}
    if (parts[3] === 'resolve' && repoMatches(parts[1], parts[2])) {
      const f = byPath.get(parts.slice(5).join('/'));
      if (!f || (parts[4] !== commit && parts[4] !== 'main')) return json(res, 404, { error: 'Entry not found' }, { 'x-error-code': 'EntryNotFound' });
      if (f.lfs) {
        res.writeHead(302, {
          location: `${cdnUrl}/repos/${sha.get(f.path)}/${encodeURIComponent(f.path)}?X-Amz-Signature=fake`,
          'x-repo-commit': commit,
          'x-linked-etag': `"${sha.get(f.path)}"`,
          'x-linked-size': String(f.content.byteLength),
          etag: `"${gitBlobId(pointer(f))}"`,
          'content-length': '0',
        });
        return res.end();
      }
      return sendContent(req, res, f, { 'x-repo-commit': commit, etag: `"${gitBlobId(f.content)}"` });
    }
    json(res, 404, { error: 'Not found' });
  });
  const cdn = createServer((req, res) => {
    record('cdn', req);
    const [, oid, path] = /^\/repos\/([0-9a-f]{64})\/([^?]+)/.exec(req.url ?? '') ?? [];
    const f = path === undefined ? undefined : byPath.get(decodeURIComponent(path));
    if (!f || sha.get(f.path) !== oid) {
      res.writeHead(403);
      return res.end('AccessDenied');
    }
    sendContent(req, res, f, { etag: `"${oid}"` });
  });
  for (const server of [hub, cdn]) server.on('connection', (s) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  const hubUrl = await listen(hub);
  const cdnUrl = await listen(cdn);
  return {
    hubUrl,
    cdnUrl,
    repoId,
    commit,
    requests,
    behaviour,
    sha256: (path) => sha.get(path)!,
    gitOid: gitBlobId,
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([hub, cdn].map((s) => new Promise((resolve) => s.close(resolve))));
    },
  };
}
