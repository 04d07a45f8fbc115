/** MCQ and 2AFC results as Markdown tables (the paper's layouts), for the editor and for files. */
import type { McqReport, Tally } from './mcq';
import type { TwoAfcResult } from './twoafc';

const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)} %`);
const num = (x: number | null) => (x === null ? '—' : x.toFixed(3));
/** Dataset text inside a table cell: no pipes or line breaks, no HTML. */
const cell = (s: string) => s.replace(/[|\n\r]/g, ' ').replace(/[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;' })[c]!);

function tallyTable(title: string, t: Record<string, Tally>): string[] {
  const keys = Object.keys(t).sort();
  if (!keys.length) return [];
  return [
    '',
    `### ${title}`,
    '',
    '| | accuracy | correct / n |',
    '|---|---:|---:|',
    ...keys.map((k) => `| ${cell(k)} | ${pct(t[k].accuracy)} | ${t[k].correct} / ${t[k].n} |`),
  ];
}

export function mcqMarkdown(r: McqReport, meta: { file: string; profile: string; model: string; answers?: string; cancelled?: boolean }): string {
  return [
    `# MCQ evaluation: ${cell(meta.profile)}`,
    '',
    `Dataset \`${meta.file}\`, model \`${meta.model}\`${meta.cancelled ? ' — **cancelled**, partial results' : ''}.`,
    '',
    `**Accuracy ${pct(r.accuracy)}** (${r.correct} / ${r.answered}); ${r.unparsed} answer(s) not parsed (counted wrong), ${r.failed} request(s) failed.`,
    ...tallyTable('By question type', r.byType),
    ...tallyTable('By concern', r.byConcern),
    ...tallyTable('By question type and concern', r.byTypeAndConcern),
    ...tallyTable('By number of images', r.byImages),
    ...(meta.answers ? ['', `Per-item answers: \`${meta.answers}\``] : []),
    '',
  ].join('\n');
}

function twoafcRows(name: string, r: TwoAfcResult): string {
  return `| ${cell(name)} | ${r.judgements} | ${r.pairs} | ${num(r.kappa)} | ${pct(r.accuracy)} | ${num(r.plcc)} | ${num(r.srcc)} | ${r.unparsed} |`;
}

export function twoafcMarkdown(
  overall: TwoAfcResult,
  perGroup: Record<string, TwoAfcResult>,
  meta: { file: string; profile: string; model: string; rounds: number; seed: string; judgementsFile?: string; cancelled?: boolean },
): string {
  const ranked = Object.entries(overall.scores).sort((a, b) => b[1] - a[1]);
  return [
    `# 2AFC evaluation: ${cell(meta.profile)}`,
    '',
    `Dataset \`${meta.file}\`, model \`${meta.model}\`, ${meta.rounds} round(s), seed \`${meta.seed}\`${meta.cancelled ? ' — **cancelled**, partial results' : ''}.`,
    'Each round pairs shuffled neighbours; every pair is asked in both orders. κ: share of pairs judged the same both ways; accuracy on consistent pairs;',
    'MAP scores by Thurstone Case V; PLCC after a 4-parameter logistic fit and SRCC against `gt_score`.',
    '',
    '| | judgements | pairs both ways | κ | accuracy | PLCC | SRCC | unparsed |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    twoafcRows('all', overall),
    ...Object.entries(perGroup).map(([g, r]) => twoafcRows(g || '(no group)', r)),
    '',
    '### MAP scores',
    '',
    '| image | score |',
    '|---|---:|',
    ...ranked.map(([k, v]) => `| ${cell(k)} | ${v.toFixed(3)} |`),
    ...(meta.judgementsFile ? ['', `Judgements: \`${meta.judgementsFile}\``] : []),
    '',
  ].join('\n');
}
