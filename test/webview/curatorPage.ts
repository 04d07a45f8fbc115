/**
 * Serves the built curator webview (dist/webview/dataset.js + media/curator.css) on 127.0.0.1 in a
 * page with the same kind of CSP the extension uses, with a fake VS Code API: a scripted host that
 * answers the webview's requests from fixtures, can hold answers back, and records every message.
 * Demo images are served under /images/.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { InitState, ItemView } from '../../src/protocol';
import { launchChromium } from '../support/browser';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const NONCE = 'test-nonce-0123456789';

export interface FakeHostConfig {
  /** Fixed results per request method; items are looked up in `items` by record index ("record") or plan position ("review.item"). */
  results: Record<string, unknown>;
  items?: Record<number, unknown>;
  /** Request methods whose answers wait for release(). */
  hold?: string[];
  /** Request methods answered with an error. */
  fail?: Record<string, string>;
  /** Browse: number of records for listPage (rows are generated). */
  listSize?: number;
  /** Answers given in turn to a request method (the last one repeats), instead of one fixed result. */
  sequence?: Record<string, unknown[]>;
  /** Browse: the rows listPage serves for a filter id, instead of generated ones (a sorted or filtered list). */
  listRows?: Record<number, unknown[]>;
  state?: unknown;
}

/** A fake host browsing a small dataset: these items at indices 0…n-1, every filter matching all of them. */
export function browsing(name: string, items: ItemView[]): FakeHostConfig {
  const ready: InitState = {
    mode: 'browse',
    readOnly: true,
    start: 0,
    warnings: [],
    subsets: [],
    dataset: { name, path: `/data/${name}`, count: items.length, format: 'llava', bytes: 1000 * items.length },
  };
  return {
    results: { ready, query: { total: items.length, matches: items.length, filterId: 1 } },
    items: Object.fromEntries(items.map((it, i) => [i, it])),
    listSize: items.length,
  };
}

export async function startPageServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const csp = `default-src 'none'; img-src 'self'; style-src 'self'; script-src 'nonce-${NONCE}'`;
  const html = `<!DOCTYPE html><html><head><meta charset="UTF-8"><meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="/curator.css"><link rel="stylesheet" href="/compare.css"><title>curator test</title></head>
<body><div id="app" data-state="loading">Loading…</div><script nonce="${NONCE}" src="/dataset.js"></script></body></html>`;
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const send = (file: string, type: string) => {
      fs.readFile(file, (err, data) => {
        if (err) {
          res.writeHead(404);
          res.end();
          return;
        }
        res.writeHead(200, { 'content-type': type });
        res.end(data);
      });
    };
    if (url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(html);
    } else if (url === '/dataset.js') send(path.join(ROOT, 'dist', 'webview', 'dataset.js'), 'text/javascript');
    else if (url === '/curator.css' || url === '/compare.css') send(path.join(ROOT, 'media', url.slice(1)), 'text/css');
    else if (url.startsWith('/images/') && !url.includes('..')) send(path.join(ROOT, 'demo', url), 'image/jpeg');
    else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

export function launchBrowser(): Promise<Browser> {
  return launchChromium();
}

/** The fake host, installed before the bundle runs (plain browser JavaScript). */
const FAKE_HOST = `
(() => {
  const cfg = window.__fakeHostConfig;
  const host = window.__host = { sent: [], held: [], state: cfg.state, states: [] };
  const reply = (m, result, error) => setTimeout(() => window.postMessage(error ? { kind: 'response', id: m.id, ok: false, error } : { kind: 'response', id: m.id, ok: true, result }, '*'), 0);
  const answer = (m) => {
    if (cfg.fail && cfg.fail[m.method]) return reply(m, undefined, cfg.fail[m.method]);
    if (m.method === 'record' || m.method === 'review.item') {
      const at = m.method === 'record' ? m.params.index : m.params.position;
      const item = cfg.items[at];
      return reply(m, item ? { item } : { problem: { index: at, message: 'no such record' } });
    }
    if (m.method === 'mark') {
      const judged = (host.judged = (host.judged || 0) + 1);
      const { verdict, note, correction, reasons } = m.params;
      return reply(m, { key: m.params.key, saved: { verdict, note, correction, reasons, at: new Date().toISOString() }, progress: { judged, size: 3, correct: judged, incorrect: 0, skip: 0 } });
    }
    const fixedRows = m.method === 'listPage' && cfg.listRows && cfg.listRows[m.params.filterId];
    if (fixedRows) return reply(m, { rows: fixedRows.slice(m.params.offset, m.params.offset + m.params.limit), offset: m.params.offset });
    if (m.method === 'listPage') {
      const rows = [];
      for (let k = m.params.offset; k < Math.min(cfg.listSize, m.params.offset + m.params.limit); k++) rows.push({ index: k, key: 'rec-' + k, groupSize: 1 + (k % 4), snippet: 'record ' + k });
      return reply(m, { rows, offset: m.params.offset });
    }
    const seq = cfg.sequence && cfg.sequence[m.method];
    if (seq) return reply(m, seq.length > 1 ? seq.shift() : seq[0]);
    reply(m, cfg.results[m.method]);
  };
  host.release = () => { const h = host.held; host.held = []; h.forEach(answer); };
  host.notify = (method, params) => window.postMessage({ kind: 'notification', method, params }, '*');
  window.__curatorApi = {
    postMessage(m) {
      host.sent.push(m);
      if (m.kind !== 'request') return;
      if (cfg.hold && cfg.hold.includes(m.method)) host.held.push(m); else answer(m);
    },
    getState() { return host.state; },
    setState(s) { host.state = s; host.states.push(s); },
  };
})();`;

export async function openCurator(browser: Browser, url: string, cfg: FakeHostConfig): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.addInitScript(`window.__fakeHostConfig = ${JSON.stringify(cfg)};\n${FAKE_HOST}`);
  await page.goto(url);
  await page.locator('#app[data-state="ready"]').waitFor({ timeout: 15_000 });
  return page;
}

/** Messages the webview sent so far. */
export function sent(page: Page): Promise<{ kind: string; method: string; params: Record<string, unknown> }[]> {
  return page.evaluate('window.__host.sent') as Promise<{ kind: string; method: string; params: Record<string, unknown> }[]>;
}

/** What the page-side predicates below read of the DOM (the test build has no DOM lib). */
type PageElement = { complete?: boolean; dataset: Record<string, string | undefined> };
type PageGlobals = { document: { querySelectorAll(selector: string): ArrayLike<PageElement> } };

/*
 * Page-side waits are functions, never strings: Playwright evals a string predicate again on every later poll,
 * which the page's CSP (no 'unsafe-eval') refuses, so a string predicate only works when it is true on the first poll.
 */

/** Waits until at least `min` elements match `selector` and every one of them has finished loading (img.complete). */
export async function waitForLoaded(page: Page, selector: string, min = 1): Promise<void> {
  await page.waitForFunction(
    ([sel, n]) => {
      const all = Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll(sel));
      return all.length >= n && all.every((e) => e.complete === true);
    },
    [selector, min] as const,
  );
}

/** Waits until at least `min` elements match `selector` and every one has `data-<key>="<value>"`. */
export async function waitForDataset(page: Page, selector: string, key: string, value: string, min = 1): Promise<void> {
  await page.waitForFunction(
    ([sel, k, v, n]) => {
      const all = Array.from((globalThis as unknown as PageGlobals).document.querySelectorAll(sel));
      return all.length >= n && all.every((e) => e.dataset[k] === v);
    },
    [selector, key, value, min] as const,
  );
}

export function notify(page: Page, method: string, params: unknown): Promise<void> {
  return page.evaluate(`window.__host.notify(${JSON.stringify(method)}, ${JSON.stringify(params)})`) as Promise<void>;
}

/** A review InitState over these items at plan positions 0…n−1 (one stratum, nothing judged yet). */
export function reviewInitFor(items: ItemView[], extra: Partial<InitState> = {}): InitState {
  return {
    mode: 'review',
    readOnly: false,
    start: 0,
    warnings: [],
    subsets: [],
    dataset: { name: 'd.json', path: '/data/d.json', count: 100, format: 'llava', bytes: 1000 },
    plan: {
      name: 'sc',
      size: items.length,
      seed: '1',
      strata: 'none',
      reviewer: 'tester',
      items: items.map((it) => ({ key: it.key, index: it.index, stratum: 'all' })),
    },
    verdicts: {},
    reasons: [],
    progress: { judged: 0, size: items.length, correct: 0, incorrect: 0, skip: 0 },
    ...extra,
  };
}

/** Registers a suite's hooks: one page server and one Chromium for the suite, the test's page closed after each test. */
export function curatorSuite(): { browser: Browser; url: string; page: Page | undefined } {
  const s = { browser: undefined as unknown as Browser, url: '', page: undefined as Page | undefined };
  let server: { url: string; close: () => Promise<void> } | undefined;
  before(async () => {
    server = await startPageServer();
    s.url = server.url;
    s.browser = await launchBrowser();
  });
  after(async () => {
    await s.browser?.close();
    await server?.close();
  });
  afterEach(async () => {
    await s.page?.close();
    s.page = undefined;
  });
  return s;
}
