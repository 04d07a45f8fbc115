/**
 * Serves the compare view (webview/compare/compareView.ts, bundled here with esbuild) and its CSS on
 * 127.0.0.1 in a page with the webview's kind of CSP, plus picture files registered by the test
 * (real photos, EXIF-rotated copies, previews from core's PreviewCache). A file can be held back
 * until the test releases it, to see placeholders before paint.
 */
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { TileCache } from '../../src/core/imageTiles';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const NONCE = 'test-nonce-compare-0123';

export interface WarmRequest {
  ids: string[];
  cut: { id: string; tiles: [number, number][] }[];
}

export interface ComparePageServer {
  url: string;
  /** Serves `abs` at /files/<name>; returns the URL path. */
  file(name: string, abs: string): string;
  /** Requests for /files/<name> wait until release(name). */
  hold(name: string): void;
  release(name: string): void;
  /** Makes `abs` the image with tile id `id`: /tiles?id=…&t=c,r;… answers its tiles, cut by core's TileCache. */
  tileSource(id: string, abs: string): void;
  /** Tile requests answered so far (col,row per id), for tests that check only visible tiles are fetched. */
  readonly tileRequests: { id: string; tiles: [number, number][] }[];
  /** Warm commands received (images on screen, and the tiles to cut ahead). */
  readonly warmRequests: WarmRequest[];
  close(): Promise<void>;
}

async function bundle(): Promise<string> {
  const r = await esbuild.build({
    stdin: {
      contents: `import { CompareView, compareKeyAction } from './webview/compare/compareView';
        (window as any).CompareView = CompareView; (window as any).compareKeyAction = compareKeyAction;`,
      resolveDir: ROOT,
      loader: 'ts',
      sourcefile: 'compare-test-entry.ts',
    },
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    platform: 'browser',
    logLevel: 'silent',
  });
  return r.outputFiles[0].text;
}

export async function startComparePage(opts: { tiles?: TileCache } = {}): Promise<ComparePageServer> {
  const script = await bundle();
  const files = new Map<string, string>();
  const held = new Map<string, (() => void)[] | null>();
  const tileFiles = new Map<string, string>();
  const tileRequests: { id: string; tiles: [number, number][] }[] = [];
  const warmRequests: WarmRequest[] = [];
  const csp = `default-src 'none'; img-src 'self'; style-src 'self'; connect-src 'self'; script-src 'nonce-${NONCE}'`;
  const html = `<!DOCTYPE html><html><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="/curator.css"><link rel="stylesheet" href="/compare.css"><title>compare test</title></head>
<body><div id="host"></div><script nonce="${NONCE}" src="/compare.js"></script></body></html>`;
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const sendFile = (file: string, type: string) =>
      fs.readFile(file, (err, data) => {
        if (err) {
          res.writeHead(404);
          res.end();
          return;
        }
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(data);
      });
    if (url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(html);
    } else if (url === '/compare.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(script);
    } else if (url === '/tiles' && opts.tiles) {
      const q = new URL(req.url ?? '/', 'http://x').searchParams;
      const id = q.get('id') ?? '';
      const wanted = (q.get('t') ?? '')
        .split(';')
        .filter(Boolean)
        .map((p) => p.split(',').map(Number) as [number, number]);
      const abs = tileFiles.get(id);
      if (q.get('warm')) {
        const ids = id.split(';').filter(Boolean);
        const cut = JSON.parse(q.get('cut') ?? '[]') as { id: string; tiles: [number, number][] }[];
        warmRequests.push({ ids, cut });
        opts.tiles.warm(
          ids.map((i) => tileFiles.get(i)!).filter(Boolean),
          cut.filter((n) => tileFiles.has(n.id)).map((n) => ({ file: tileFiles.get(n.id)!, tiles: n.tiles })),
        );
        res.writeHead(204);
        res.end();
        return;
      }
      if (!abs) {
        res.writeHead(404);
        res.end();
        return;
      }
      tileRequests.push({ id, tiles: wanted });
      opts.tiles.tiles(abs, wanted).then(
        (tiles) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ tiles: tiles.map((t) => ({ col: t.col, row: t.row, src: `/tile-files/${path.basename(t.file)}` })) }));
        },
        (e: Error) => {
          res.writeHead(500);
          res.end(e.message);
        },
      );
    } else if (url.startsWith('/tile-files/') && opts.tiles) sendFile(path.join(opts.tiles.dir, path.basename(url)), 'image/png');
    else if (url === '/compare.css' || url === '/curator.css') sendFile(path.join(ROOT, 'media', url.slice(1)), 'text/css');
    else if (url.startsWith('/files/')) {
      const name = url.slice('/files/'.length);
      const abs = files.get(name);
      if (!abs) {
        res.writeHead(404);
        res.end();
        return;
      }
      const type = /\.png$/i.test(abs) ? 'image/png' : 'image/jpeg';
      const waiting = held.get(name);
      if (waiting) waiting.push(() => sendFile(abs, type));
      else sendFile(abs, type);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    file(name, abs) {
      files.set(name, abs);
      return `/files/${name}`;
    },
    hold(name) {
      if (!held.get(name)) held.set(name, []);
    },
    tileSource(id, abs) {
      tileFiles.set(id, abs);
    },
    tileRequests,
    warmRequests,
    release(name) {
      const w = held.get(name);
      held.set(name, null);
      w?.forEach((f) => f());
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A page with a CompareView filling a box of the given size, its key events wired, paints logged. */
export async function openCompare(browser: Browser, url: string, box = { width: 1200, height: 700 }, opts: { tiles?: boolean } = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: box.width, height: box.height } });
  await page.goto(url);
  await page.evaluate(`(() => {
    document.body.style.margin = '0';
    const host = document.getElementById('host');
    host.style.height = '${box.height}px';
    host.style.width = '${box.width}px';
    window.__paints = [];
    const tiles = ${opts.tiles ? 'true' : 'false'} ? {
      fetch: async (id, tiles) => (await (await fetch('/tiles?id=' + encodeURIComponent(id) + '&t=' + tiles.map((t) => t.join(',')).join(';'))).json()).tiles,
      warm: (ids, cut) => { void fetch('/tiles?warm=1&id=' + encodeURIComponent(ids.join(';')) + '&cut=' + encodeURIComponent(JSON.stringify(cut ?? []))); },
    } : undefined;
    window.__compare = new window.CompareView({ tiles, onPaint: (ordinal, source) => window.__paints.push({ ordinal, source, t: performance.now() }) });
    host.append(window.__compare.el);
  })()`);
  return page;
}

/** The hooks of every viewport, in DOM order. */
export function viewHooks(page: Page): Promise<{ x: number; y: number; scale: number; ordinal: number }[]> {
  return page.evaluate(
    `[...document.querySelectorAll('.cmp-viewport')].map((v) => ({ x: Number(v.dataset.viewX), y: Number(v.dataset.viewY), scale: Number(v.dataset.viewScale), ordinal: Number(v.dataset.ordinal) }))`,
  ) as Promise<{ x: number; y: number; scale: number; ordinal: number }[]>;
}

/** Waits until the next two animation frames ran (view hooks are written in a frame). */
export function frames(page: Page): Promise<void> {
  return page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())))') as Promise<void>;
}
