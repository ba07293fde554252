import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.urdf': 'application/xml; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
};

export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  const body = Buffer.from(text);
  res.writeHead(status, { 'content-type': contentType, 'content-length': body.length, 'cache-control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

export async function sendFile(res: ServerResponse, filePath: string, cacheControl: string): Promise<void> {
  const body = await readFile(filePath);
  res.writeHead(200, { 'content-type': contentTypeFor(filePath), 'content-length': body.length, 'cache-control': cacheControl });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/**
 * Maps a URL path into `rootDir`, or returns undefined when it would leave it. Decoding happens before the
 * check, so `%2e%2e/` and `..%2f` are caught like a plain `../`.
 */
export function resolveInside(rootDir: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const root = resolve(rootDir);
  const full = resolve(join(root, decoded));
  if (full !== root && !full.startsWith(root + sep)) return undefined;
  return full;
}

/** Serves the built client. A missing build gets a 404 that says how to build it. */
export class StaticFiles {
  readonly #rootDir: string;

  constructor(rootDir: string) {
    this.#rootDir = resolve(rootDir);
  }

  get rootDir(): string { return this.#rootDir; }

  async serve(req: IncomingMessage, res: ServerResponse, urlPath: string): Promise<void> {
    // Reject traversal on the raw path too: URL parsing already folds `/a/../b`, but `..` segments that
    // survive (or arrive encoded) mean a client probing for files outside the root.
    if (urlPath.split('/').some((seg) => seg === '..' || /%2e%2e/i.test(seg))) {
      sendText(res, 400, 'bad path\n');
      return;
    }
    let path = resolveInside(this.#rootDir, urlPath);
    if (path === undefined) {
      sendText(res, 400, 'bad path\n');
      return;
    }
    let info = await stat(path).catch(() => undefined);
    if (info?.isDirectory()) {
      path = join(path, 'index.html');
      info = await stat(path).catch(() => undefined);
    }
    if (!info?.isFile()) {
      if (urlPath === '/' || urlPath === '/index.html') {
        sendText(res, 404, `dashboard client not built (no ${join(this.#rootDir, 'index.html')}): run \`npm run build\`\n`);
      } else {
        sendText(res, 404, `not found: ${req.url ?? urlPath}\n`);
      }
      return;
    }
    // Vite puts content-hashed bundles under assets/, so they can be cached for good; the page must not be.
    const immutable = path.startsWith(join(this.#rootDir, 'assets') + sep);
    await sendFile(res, path, immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  }
}
