/**
 * Markdown rendering (readable as plain text and in VS Code's Markdown preview). Every dataset or
 * reviewer string is escaped: no HTML and no table breakage from "|" in a note.
 */
import { ciPct, ciPp, confidenceLabel, decisionText, pct, pp, pValue, stat3 } from './format';
import { INDICATIVE_BELOW, type Report, type SpotcheckReport } from './model';

/**
 * Escapes text for a Markdown paragraph, heading, link text or table cell: no HTML (entities), no
 * emphasis, link, image or strike-through syntax, no cell break ("|"), no line break.
 */
export function mdText(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#~!])/g, '\\$1')
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ');
}

/**
 * A code span holding `s` verbatim: a backtick fence longer than any backtick run inside, padded
 * when the text starts or ends with a backtick or space, line breaks and tabs shown as \n \r \t.
 * In a table cell (`cell`), "|" becomes "\|" (GFM splits cells before reading code spans).
 */
export function mdCode(s: string, cell = false): string {
  let t = s
    .replace(/\r/g, '\\r')
    .replace(/\n/g, '\\n')
    .replace(/\t/g, '\\t')
    .replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
  if (cell) t = t.replace(/\|/g, '\\|');
  if (t === '') return '` `';
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = /^[` ]|[` ]$/.test(t) ? ' ' : '';
  return `${fence}${pad}${t}${pad}${fence}`;
}

function table(head: string[], rows: string[][], align?: ('l' | 'r')[]): string[] {
  const sep = head.map((_, i) => ((align?.[i] ?? 'l') === 'r' ? '---:' : '---'));
  return [`| ${head.join(' | ')} |`, `| ${sep.join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function spotcheckSection(s: SpotcheckReport): string[] {
  const conf = confidenceLabel(s.confidence);
  const N = Object.values(s.population).reduce((a, b) => a + b, 0);
  const out: string[] = [`## ${mdText(s.name)}${s.kind === 'hunt' ? ' (hunt)' : ''}`, ''];
  if (s.hunt) {
    // A hunt is reported apart: its verdicts say how often the suspicion was right, nothing about the dataset.
    out.push(
      `**Hunt precision: ${s.hunt.judged ? `${pct(s.hunt.precision)} ${ciPct(s.hunt.ci)}` : '— (no judged item yet)'}** — ${s.hunt.incorrect} wrong label(s) found in ${s.hunt.judged} judged (Wilson score interval, ${conf} confidence). Most suspicious first, not a random sample: not an estimate of the dataset's correctness.`,
      `${s.skipped} skipped, ${s.pending} not judged yet.`,
      '',
    );
    for (const w of s.warnings) out.push(`- ${mdText(w)}`);
    out.push('');
    return out;
  }
  out.push(
    `**Correct: ${s.n ? `${pct(s.rate)} ${ciPct(s.ci)}` : '— (no judged item yet)'}** — k = ${s.k} correct of n = ${s.n} judged (Wilson score interval, ${conf} confidence).`,
    `${s.skipped} skipped (excluded from n), ${s.pending} not judged yet${s.disputed ? `, ${s.disputed} disputed between reviewers` : ''}.`,
    '',
  );
  if (s.strata.length > 1 || s.weighted.coverage < 1) {
    const w = s.weighted;
    out.push(
      `**Weighted by population shares (N_h/N, with finite-population correction): ${w.rate === null ? '— (no judged item yet)' : `${pct(w.rate)} ${ciPct(w.ci)}`}**${w.se !== null ? ` (standard error ${(w.se * 100).toFixed(2)} pp)` : ''}.`,
      '',
    );
  }
  out.push(
    ...table(
      ['Stratum', 'N', 'n', 'k', 'Skipped', 'Correct', `${conf} CI`, ''],
      s.strata.map((h) => [
        mdText(h.name),
        String(h.N),
        String(h.n),
        String(h.k),
        String(h.skipped),
        pct(h.rate),
        h.n ? ciPct(h.ci) : '—',
        h.n === 0 ? 'no judged item' : h.indicative ? `indicative (n < ${INDICATIVE_BELOW})` : '',
      ]),
      ['l', 'r', 'r', 'r', 'r', 'r', 'l', 'l'],
    ),
    '',
  );
  out.push(
    `- Dataset: ${mdCode(s.dataset.path)} (fingerprint ${mdCode(s.dataset.fingerprint)}${s.dataset.changed === null ? ', not checked' : s.dataset.changed ? `, **changed** since the plan: now ${mdCode(s.dataset.currentFingerprint ?? '')}` : ', unchanged'})`,
    `- Sample: ${s.size} items from a population of ${N} (seed ${mdCode(s.seed)}, strata: ${mdText(s.strataBy)}); population sizes: ${
      Object.entries(s.population)
        .map(([k, v]) => `${mdText(k)} = ${v}`)
        .join(', ') || '—'
    }`,
    `- Reviewers: ${s.reviewers.length ? s.reviewers.map(mdText).join(', ') : 'none yet'}`,
    ...curationLines(s),
    `- Method: Wilson score interval at ${conf}; overall weighted estimate Σ W_h p_h with variance Σ W_h² (1 − n_h/N_h) p_h(1 − p_h)/(n_h − 1), Wilson interval at the effective sample size.`,
    '',
  );
  const notes = [...s.warnings, ...s.weighted.notes];
  if (notes.length) out.push('> **Warnings**', '>', ...notes.map((w) => `> - ${mdText(w)}`), '');
  return out;
}

/** Corrections, incorrect items by reason, and the decisions taken (issue #17). */
function curationLines(s: SpotcheckReport): string[] {
  const out: string[] = [];
  const reasons = Object.entries(s.reasons).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  out.push(
    `- Corrections: ${s.corrections} item${s.corrections === 1 ? '' : 's'}; incorrect by reason: ${reasons.length ? reasons.map(([r, n]) => `${mdText(r)} = ${n}`).join(', ') : 'none given'}`,
  );
  const strata = Object.entries(s.decisions.strata);
  out.push(
    `- Decision: ${s.decisions.spotcheck ? mdText(decisionText(s.decisions.spotcheck)) : 'none recorded'}${strata.length ? `; per stratum: ${strata.map(([h, d]) => `${mdText(h)}: ${mdText(decisionText(d))}`).join('; ')}` : ''}`,
  );
  return out;
}

function itemsSection(s: SpotcheckReport): string[] {
  const head = ['#', 'Key', 'Stratum', 'Verdict', ...s.reviewers.map(mdText), 'Notes'];
  const rows = s.items.map((it, i) => [
    String(i + 1),
    mdCode(it.key, true),
    mdText(it.stratum),
    `${it.verdict ?? 'pending'}${it.disputed ? ' (disputed)' : ''}${it.drift ? ` — record ${it.drift}` : ''}`,
    ...s.reviewers.map((r) => it.reviewers[r]?.verdict ?? '—'),
    [
      ...s.reviewers.map((r) => (it.reviewers[r]?.note ? `${s.reviewers.length > 1 ? `${mdText(r)}: ` : ''}${mdText(it.reviewers[r].note!)}` : '')),
      it.reasons?.length ? `reasons: ${it.reasons.map(mdText).join(', ')}` : '',
      it.correction !== undefined ? `correction: ${mdText(it.correction)}` : '',
    ]
      .filter(Boolean)
      .join('; '),
  ]);
  return [`### Items of ${mdText(s.name)}`, '', ...table(head, rows), ''];
}

export function renderMarkdown(report: Report): string {
  const conf = confidenceLabel(report.confidence);
  const out: string[] = [
    '# Spot-check report',
    '',
    `Generated ${report.generatedAt} · ${conf} confidence · Wilson score intervals · skips excluded from n.`,
    '',
  ];
  if (report.spotchecks.some((s) => s.reviewers.length > 1)) out.push(`> ${report.rule}`, '');
  const random = report.spotchecks.filter((s) => s.kind !== 'hunt');
  if (random.length > 1) {
    out.push(
      ...table(
        ['Spot check', 'n', 'k', 'Skipped', 'Correct', `${conf} CI`, 'Weighted', 'Reviewers'],
        random.map((s) => [
          mdText(s.name),
          String(s.n),
          String(s.k),
          String(s.skipped),
          pct(s.rate),
          ciPct(s.ci),
          `${pct(s.weighted.rate)} ${ciPct(s.weighted.ci)}`,
          s.reviewers.map(mdText).join(', '),
        ]),
        ['l', 'r', 'r', 'r', 'r', 'l', 'l', 'l'],
      ),
      '',
    );
  }
  for (const s of report.spotchecks) out.push(...spotcheckSection(s));
  if (report.comparisons.length) {
    out.push(
      '## Comparisons',
      '',
      `Difference of correctness rates (A − B) with Newcombe's hybrid score interval (${conf}) and Fisher's exact two-sided p.`,
      '',
    );
    out.push(
      ...table(
        ['A', 'B', 'A − B', `${conf} CI`, 'Fisher p', 'Shared items'],
        report.comparisons.map((c) => [
          mdText(c.a),
          mdText(c.b),
          pp(c.diff),
          ciPp(c.ci) + ' pp',
          c.method === 'newcombe-paired' ? '— (paired)' : pValue(c.fisherP),
          c.shared ? `${c.shared.items}${c.method === 'newcombe-paired' ? ', all: paired' : ''} (McNemar p ${pValue(c.shared.mcnemarP)})` : '0',
        ]),
        ['l', 'l', 'r', 'l', 'r', 'l'],
      ),
      '',
    );
    if (report.comparisons.some((c) => c.method === 'newcombe-paired'))
      out.push(
        "> **Note:** spot checks that judged exactly the same items are compared as paired data: Newcombe's paired-data interval (1998, method 10) and McNemar's test instead of Fisher's.",
        '',
      );
    if (report.comparisons.some((c) => c.shared && c.method === 'newcombe'))
      out.push(
        "> **Note:** where two spot checks share some judged items, the samples are not independent; Newcombe/Fisher assume they are. McNemar's test on the shared items is the paired comparison.",
        '',
      );
  }
  if (report.agreement.length) {
    out.push(
      '## Agreement between reviewers',
      '',
      "On items every listed reviewer judged correct or incorrect. Cohen's κ for two reviewers, Fleiss' κ for any number; Gwet's AC1 stays meaningful when nearly every item is correct (κ does not).",
      '',
    );
    out.push(
      ...table(
        ['Spot check', 'Reviewers', 'Items', 'Raw agreement', "Cohen's κ", "Fleiss' κ", "Gwet's AC1", 'McNemar p'],
        report.agreement.map((g) => [
          mdText(g.spotcheck),
          g.reviewers.map(mdText).join(', '),
          String(g.items),
          pct(g.raw),
          stat3(g.cohenKappa),
          stat3(g.fleissKappa),
          stat3(g.gwetAC1),
          g.mcnemar ? pValue(g.mcnemar.p) : '—',
        ]),
        ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
      '',
    );
    if (report.agreement.some((g) => g.items === 0)) out.push('> **Note:** a reviewer set with 0 shared items has no agreement statistics.', '');
  }
  for (const s of report.spotchecks) out.push(...itemsSection(s));
  return out.join('\n');
}
