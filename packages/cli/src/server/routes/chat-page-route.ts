import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpRequestError } from '../../errors/http-request-error.js';
import type { RouteContext } from '../route-context.js';

/** The page's files (in the package's `assets/chat/`) and their content types; nothing else is served from there. */
const FILES: Readonly<Record<string, string>> = {
  'index.html': 'text/html; charset=utf-8',
  'chat.js': 'text/javascript; charset=utf-8',
  'chat.css': 'text/css; charset=utf-8',
};

let assetsDir: string | undefined;

/** `assets/chat` of this package: found upwards from this module (src/server/routes in the repo, dist when built). */
function chatAssets(): string {
  if (assetsDir !== undefined) return assetsDir;
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'assets', 'chat');
    if (existsSync(join(candidate, 'index.html'))) return (assetsDir = candidate);
  }
  throw new Error('the chat page files (assets/chat) are missing from @pio/cli');
}

/**
 * `GET /` and `GET /chat/{file}`: the chat page, plain HTML, CSS and JavaScript shipped in the package (no build step,
 * nothing from a CDN). It uses `/v1/models` and `/v1/chat/completions` like any other client.
 */
export async function chatPageRoute(context: RouteContext): Promise<void> {
  const file = context.params.file ?? 'index.html';
  const type = FILES[file];
  if (type === undefined) {
    throw new HttpRequestError(`There is no file /chat/${file}.`, { status: 404, type: 'invalid_request_error', errorCode: 'not_found' });
  }
  const body = await readFile(join(chatAssets(), file));
  context.response.writeHead(200, {
    'Content-Type': type,
    'Content-Length': body.length,
    'Cache-Control': 'no-cache',
    // the page runs only its own files and talks only to this server
    'Content-Security-Policy': "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'",
    'X-Content-Type-Options': 'nosniff',
  });
  context.response.end(body);
}
