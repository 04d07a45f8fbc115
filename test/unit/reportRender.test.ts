/** The report renderers: Markdown, HTML (standalone and webview), CSV, JSON — on the fixture plans. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import MarkdownIt from 'markdown-it';
import { buildReport, type Report } from '../../src/core/report/model';
import { renderCsv } from '../../src/core/report/csv';
import { renderHtml, renderHtmlBody } from '../../src/core/report/html';
import { renderMarkdown } from '../../src/core/report/markdown';
import { formatFromName, renderReport } from '../../src/core/report/render';

const fixtures = path.resolve(__dirname, '../../../test/fixtures/report');

/** Splits one CSV document into rows of cells (RFC 4180 quoting). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  return rows;
}

describe('report renderers', () => {
  let report: Report;
  before(() => {
    report = buildReport([path.join(fixtures, 'merged'), path.join(fixtures, 'removed')], { compare: true, now: new Date('2026-11-28T12:00:00Z') });
  });

  it('Markdown states n, k, method, confidence, seed, population, reviewers, fingerprint', () => {
    const md = renderMarkdown(report);
    assert.match(md, /\*\*Correct: 87\.2 % \[73\.3, 94\.4\]\*\* — k = 34 correct of n = 39 judged \(Wilson score interval, 95 % confidence\)/);
    assert.match(md, /1 skipped \(excluded from n\)/);
    assert.match(md, /seed `7`/);
    assert.match(md, /population sizes: 2 = 36, 3 = 25/);
    assert.match(md, /Reviewers: alice, bob, carol/);
    assert.match(md, /fingerprint `2c05e66245994939`, \*\*changed\*\* since the plan/);
    assert.match(md, /\| 3 \| 25 \| 16 \| 12 \| 0 \| 75\.0 % \| \[50\.5, 89\.8\] \| indicative \(n < 30\) \|/);
    assert.match(md, /first reviewer in name order/);
    assert.match(md, /\| merged \| removed \| \+15\.2 pp \| \[-4\.3, 36\.0\] pp \| 0\.1899 \|/);
    assert.match(md, /\| merged \| alice, bob \| 18 \| 94\.4 % \| 0\.640 \| 0\.636 \| 0\.934 \|/);
  });

  it('Markdown escapes notes: no HTML, no broken table', () => {
    const md = renderMarkdown(report);
    const line = md.split('\n').find((l) => l.includes('sharper'))!;
    assert.ok(line.includes('label says "first" \\| but the second is sharper &lt;b&gt;really&lt;/b&gt;'), line);
    assert.ok(!md.includes('<b>'));
  });

  it("Markdown renders in VS Code's renderer (markdown-it, HTML on): tables intact, notes stay text", () => {
    const html = new MarkdownIt({ html: true }).render(renderMarkdown(report));
    assert.equal((html.match(/<table>/g) ?? []).length, 7); // overview, 2 strata tables, comparisons, agreement, 2 item tables
    const row = /<tr>\s*<td>\d+<\/td>\s*<td><code>m-038<\/code><\/td>[\s\S]*?<\/tr>/.exec(html)![0];
    assert.equal((row.match(/<td/g) ?? []).length, 8); // #, key, stratum, verdict, alice, bob, carol, notes
    assert.ok(row.includes('label says &quot;first&quot; | but the second is sharper &lt;b&gt;really&lt;/b&gt;'), row);
    assert.ok(!html.includes('<b>really'));
    assert.match(html, /<blockquote>\s*<p><strong>Warnings<\/strong><\/p>\s*<ul>/);
  });

  it('standalone HTML: no script, strict CSP, escaped strings, one chart per spot check plus overview and forest plot', () => {
    const html = renderHtml(report);
    assert.ok(!/<script/i.test(html));
    assert.match(html, /Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline';"/);
    assert.ok(html.includes('label says &quot;first&quot; | but the second is sharper &lt;b&gt;really&lt;/b&gt;'));
    assert.equal((html.match(/<svg class="chart"/g) ?? []).length, 4); // overview, merged, removed, forest plot
    assert.match(html, /2 images/); // group-size strata labelled as image counts
    assert.match(html, /\+15\.2 pp \[-4\.3, 36\.0\]/);
    assert.match(html, /<span class="big">87\.2 %<\/span><span class="ci">\[73\.3, 94\.4\] 95 % CI<\/span>/);
    assert.ok(!html.includes('data-key=')); // item links only inside VS Code
  });

  it('webview HTML: nonce on style and script, export toolbar, item links', () => {
    const html = renderHtml(report, { cspSource: 'vscode-resource:', nonce: 'abc123', scriptUri: 'vscode-resource:/dist/webview/report.js' });
    assert.match(html, /script-src 'nonce-abc123'/);
    assert.match(html, /<style nonce="abc123">/);
    assert.match(html, /<script nonce="abc123" src="vscode-resource:\/dist\/webview\/report.js"><\/script>/);
    for (const f of ['html', 'md', 'json', 'csv']) assert.match(html, new RegExp(`data-export="${f}"`));
    assert.match(html, /<a class="item" href="#" data-spotcheck="merged" data-dir="[^"]+merged" data-key="m-000" data-index="0"/);
    assert.equal(renderHtmlBody(report, { linkItems: true }).includes('data-key="m-051"'), true);
  });

  it('CSV: one row per sampled item, every reviewer verdict and note, quoted, formula-safe', () => {
    const rows = parseCsv(renderCsv(report));
    assert.deepEqual(rows[0], [
      'spotcheck',
      'key',
      'index',
      'stratum',
      'verdict',
      'disputed',
      'drift',
      'alice verdict',
      'alice note',
      'bob verdict',
      'bob note',
      'carol verdict',
      'carol note',
      'correction',
      'reasons',
      'decision',
    ]);
    assert.equal(rows.length, 1 + 40 + 25);
    const byKey = new Map(rows.slice(1).map((r) => [`${r[0]}/${r[1]}`, r]));
    assert.deepEqual(byKey.get('merged/m-038'), [
      'merged',
      'm-038',
      '38',
      '3',
      'incorrect',
      'false',
      '',
      'incorrect',
      'label says "first" | but the second is sharper <b>really</b>',
      '',
      '',
      '',
      '',
      '',
      '',
      '',
    ]);
    assert.equal(byKey.get('merged/m-042')![8], `'=HYPERLINK("http://example.invalid")`);
    assert.deepEqual(byKey.get('merged/m-051')!.slice(4, 13), ['incorrect', 'true', '', '', '', 'incorrect', 'wrong: the third image is best', 'correct', '']);
    assert.deepEqual(byKey.get('merged/m-020')!.slice(4, 7), ['correct', 'false', 'changed']);
    assert.equal(byKey.get('removed/r-002')![4], 'incorrect');
  });

  it('formats by name and extension', () => {
    assert.equal(formatFromName('out/report.HTML'), 'html');
    assert.equal(formatFromName('x.markdown'), 'md');
    assert.equal(formatFromName('x.txt'), undefined);
    assert.equal(JSON.parse(renderReport(report, 'json')).spotchecks.length, 2);
  });

  it('an empty plan (nothing judged) renders without numbers', () => {
    const empty = buildReport([path.join(fixtures, 'removed')], { checkDrift: false });
    empty.spotchecks[0].items.forEach((it) => {
      it.verdict = null;
    });
    const s = empty.spotchecks[0];
    Object.assign(s, { n: 0, k: 0, rate: null, ci: [0, 1] });
    const html = renderHtml(empty);
    assert.match(html, /no judged item yet/);
    assert.match(renderMarkdown(empty), /\*\*Correct: — \(no judged item yet\)\*\* — k = 0 correct of n = 0/);
  });
});
