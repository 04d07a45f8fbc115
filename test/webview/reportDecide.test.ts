/**
 * The report webview's Decide buttons (issue #17) in headless Chromium: the page core renders for
 * the webview (its nonce CSP) with the built dist/webview/report.js and a scripted fake host. Each
 * spot-check card gets a scope (whole spot check or a stratum) and Keep / Keep with corrections /
 * Drop; a click sends one `report.decide` request and reads "saving…" until the host answers; the
 * bar and its status survive the content update the host sends as it records.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { renderHtml, renderHtmlBody } from '../../src/core/report/html';
import { buildReport } from '../../src/core/report/model';
import type { ReportDecideTarget } from '../../src/protocol';
import { launchChromium } from '../support/browser';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'report');
const NONCE = 'report-test-nonce-42';

type Sent = { kind: string; method: string; params: Record<string, unknown> };

/** The fake host: answers the report script's requests, holds `report.decide` until release(), or fails it. */
const FAKE_HOST = `
(() => {
  const cfg = window.__cfg;
  const host = window.__host = { sent: [], held: [] };
  const post = (m) => setTimeout(() => window.postMessage(m, '*'), 0);
  const answer = (m) => {
    if (m.method === 'report.decideTargets') return post({ kind: 'response', id: m.id, ok: true, result: { targets: cfg.targets } });
    if (m.method === 'report.decide') {
      if (cfg.fail) return post({ kind: 'response', id: m.id, ok: false, error: cfg.fail });
      // like the host: the report refreshes (new content) before the answer arrives
      post({ kind: 'notification', method: 'report.update', params: { html: cfg.body, generatedAt: 'later' } });
      return post({ kind: 'response', id: m.id, ok: true, result: { file: '/x/decisions.json', text: m.params.decision + (m.params.stratum ? ' on ' + m.params.stratum : '') } });
    }
  };
  host.release = () => { const h = host.held; host.held = []; h.forEach(answer); };
  window.acquireVsCodeApi = () => ({
    postMessage(m) { host.sent.push(m); if (m.kind !== 'request') return; if (cfg.hold && m.method === 'report.decide') host.held.push(m); else answer(m); },
    getState() { return undefined; },
    setState() {},
  });
})();`;

describe('report webview: Decide buttons (headless Chromium)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let server: http.Server;
  let url = '';
  let page: Page | undefined;
  const dirs = [path.join(FIXTURES, 'merged'), path.join(FIXTURES, 'removed')];
  const report = buildReport(dirs, { compare: true });
  const targets: ReportDecideTarget[] = report.spotchecks.map((s, card) => ({
    card,
    dir: s.dir,
    name: s.name,
    strata: s.strata.map((h) => ({ name: h.name, label: `${h.name} images` })),
  }));

  before(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/report.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        res.end(fs.readFileSync(path.join(ROOT, 'dist', 'webview', 'report.js')));
        return;
      }
      const origin = `http://${req.headers.host}`;
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(renderHtml(report, { cspSource: origin, nonce: NONCE, scriptUri: `${origin}/report.js` }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });
  afterEach(async () => {
    await page?.close();
    page = undefined;
  });

  async function open(cfg: { hold?: boolean; fail?: string } = {}): Promise<Page> {
    const p = await browser.newPage();
    const errors: string[] = [];
    p.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await p.addInitScript(`window.__cfg = ${JSON.stringify({ ...cfg, targets, body: renderHtmlBody(report, { linkItems: true }) })};\n${FAKE_HOST}`);
    await p.goto(url);
    await p.locator('#report[data-decide="ready"]').waitFor();
    assert.deepEqual(errors, [], 'no CSP violation or script error');
    return p;
  }

  const decides = async (p: Page) => ((await p.evaluate('window.__host.sent')) as Sent[]).filter((m) => m.method === 'report.decide').map((m) => m.params);

  it('puts a labelled decide bar in each spot-check card, with the whole spot check and each stratum as scopes', async () => {
    page = await open();
    for (const t of targets) {
      const bar = page.locator(`#spotcheck-${t.card} .decide[role="toolbar"]`);
      assert.equal(await bar.getAttribute('aria-label'), `Decide on ${t.name}`);
      assert.deepEqual(await bar.locator('button[data-decide]').allTextContents(), ['Keep', 'Keep with corrections', 'Drop']);
      assert.deepEqual(await bar.locator('select option').allTextContents(), ['the whole spot check', ...t.strata.map((s) => `stratum ${s.label}`)]);
    }
  });

  it('one click records a decision on the whole spot check: "saving…" until the host answers, then the recorded text, kept across the content update', async () => {
    page = await open({ hold: true });
    const card = page.locator('#spotcheck-0');
    await card.locator('button[data-decide="keep"]').click();
    assert.deepEqual(await decides(page), [{ dir: targets[0].dir, decision: 'keep' }]);
    assert.equal(await card.locator('.decide-status').textContent(), 'saving…');
    assert.equal(await card.locator('button[data-decide="drop"]').isDisabled(), true, 'no second click while saving');
    await page.evaluate('window.__host.release()');
    await page.waitForFunction(() => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { dataset: Record<string, string> } | null } }).document;
      return doc.querySelector('#report')?.dataset.generatedAt === 'later';
    });
    await page.locator('#spotcheck-0 .decide-status[data-state="saved"]').waitFor();
    assert.equal(await page.locator('#spotcheck-0 .decide-status').textContent(), 'recorded: keep');
    assert.equal(await page.locator('#spotcheck-0 .decide').count(), 1, 'one bar after the update');
  });

  it('a stratum scope sends the stratum; the scope stays chosen across the update', async () => {
    page = await open();
    const card = page.locator('#spotcheck-1');
    await card.locator('select.decide-scope').selectOption({ label: `stratum ${targets[1].strata[0].label}` });
    await card.locator('button[data-decide="drop"]').click();
    await page.locator('#spotcheck-1 .decide-status[data-state="saved"]').waitFor();
    assert.deepEqual(await decides(page), [{ dir: targets[1].dir, decision: 'drop', stratum: targets[1].strata[0].name }]);
    assert.equal(await page.locator('#spotcheck-1 select.decide-scope').inputValue(), `s:${targets[1].strata[0].name}`);
  });

  it('"Export curated dataset…" asks the host to export that spot check', async () => {
    page = await open();
    await page.locator('#spotcheck-1 .decide button.export-curated').click();
    await page.waitForFunction(() => (globalThis as unknown as { __host: { sent: Sent[] } }).__host.sent.some((m) => m.method === 'report.exportCurated'));
    const sent = ((await page.evaluate('window.__host.sent')) as Sent[]).filter((m) => m.method === 'report.exportCurated');
    assert.deepEqual(
      sent.map((m) => m.params),
      [{ dir: targets[1].dir }],
    );
  });

  it('says NOT recorded with the reason when the host cannot write decisions.json', async () => {
    page = await open({ fail: 'EACCES: permission denied, open decisions.json' });
    await page.locator('#spotcheck-0 button[data-decide="keep-with-corrections"]').click();
    await page.locator('#spotcheck-0 .decide-status[data-state="failed"]').waitFor();
    assert.match((await page.locator('#spotcheck-0 .decide-status').textContent()) ?? '', /^NOT recorded: EACCES/);
    assert.equal(await page.locator('#spotcheck-0 button[data-decide="keep"]').isDisabled(), false);
  });
});
