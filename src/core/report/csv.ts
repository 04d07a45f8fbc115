/**
 * CSV rendering: one row per sampled item — spot check, key, index, stratum, resolved verdict,
 * disputed, drift, each reviewer's verdict and note, then correction, reasons and decision. RFC 4180
 * quoting; text cells that a spreadsheet would run as a formula (leading = + - @, tab, CR) are prefixed with an apostrophe.
 */
import type { Report } from './model';

function cell(v: string | number | boolean | null | undefined, text = false): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function renderCsv(report: Report): string {
  const reviewers = [...new Set(report.spotchecks.flatMap((s) => s.reviewers))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const head = [
    'spotcheck',
    'key',
    'index',
    'stratum',
    'verdict',
    'disputed',
    'drift',
    ...reviewers.flatMap((r) => [`${r} verdict`, `${r} note`]),
    'correction',
    'reasons',
    'decision',
  ];
  const lines = [head.map((h) => cell(h, true)).join(',')];
  for (const s of report.spotchecks) {
    for (const it of s.items) {
      const row = [
        cell(s.name, true),
        cell(it.key, true),
        cell(it.index),
        cell(it.stratum, true),
        cell(it.verdict ?? 'pending'),
        cell(it.disputed),
        cell(it.drift ?? ''),
      ];
      for (const r of reviewers) {
        const v = it.reviewers[r];
        row.push(cell(v?.verdict ?? ''), cell(v?.note ?? '', true));
      }
      const decision = s.strata.find((h) => h.name === it.stratum)?.decision ?? s.decisions.spotcheck;
      row.push(cell(it.correction ?? '', true), cell((it.reasons ?? []).join('; '), true), cell(decision?.decision ?? ''));
      lines.push(row.join(','));
    }
  }
  return lines.join('\r\n') + '\r\n';
}
