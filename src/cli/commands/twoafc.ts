import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseChoice } from '../../core/answers/parse';
import { Dataset } from '../../core/dataset';
import { runBatch } from '../../core/endpoint/batch';
import { aggregateJudgements, parsePreferences, twoAfcRounds, type Judgement, type TwoAfcResult, type Winner } from '../../core/eval/twoafc';
import type { Item } from '../../core/item';
import { UsageError, type ParsedArgs } from '../args';
import type { Command, CommandIO } from '../command';
import { DATASET_FLAGS, openDatasetFromArgs } from '../datasetArgs';
import { ENDPOINT_USAGE, endpointFlags, pct, setupEndpoint, withInterrupt } from '../endpointArgs';

export const TWOAFC_QUESTION = 'Which image has better quality, the first image or the second image?';

const num = (x: number | null, d = 3) => (x === null ? '—' : x.toFixed(d));

/** Ground-truth scores by image path and by item key. */
function groundTruth(items: Item[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) {
    if (it.score === undefined) continue;
    if (it.images[0]) m.set(it.images[0], it.score);
    m.set(it.key, it.score);
  }
  return m;
}

function readItems(ds: Dataset): Item[] {
  const items: Item[] = [];
  for (let i = 0; i < ds.count; i++) {
    try { items.push(ds.item(i)); } catch { /* a broken record is left out */ }
  }
  return items;
}

function textReport(r: TwoAfcResult, title: string): string[] {
  const ranked = Object.entries(r.scores).sort((a, b) => b[1] - a[1]);
  const show = (list: [string, number][]) => list.map(([k, v]) => `    ${v >= 0 ? ' ' : ''}${v.toFixed(3)}  ${k}`);
  return [
    title,
    `  judgements ${r.judgements}, pairs asked both ways ${r.pairs}, consistent ${r.consistent}  → consistency κ ${num(r.kappa)}`,
    `  accuracy on consistent pairs ${pct(r.accuracy)} (${r.correct}/${r.scored})   unparsed answers ${r.unparsed}`,
    `  MAP scores (Thurstone Case V) vs gt_score on ${r.correlated} images: PLCC ${num(r.plcc)}  SRCC ${num(r.srcc)}`,
    ...(ranked.length ? ['  best:', ...show(ranked.slice(0, 3)), '  worst:', ...show(ranked.slice(-3))] : []),
  ];
}

async function fromPrefs(args: ParsedArgs, io: CommandIO): Promise<number> {
  const prefsFile = args.str('prefs')!;
  const judgements = parsePreferences(fs.readFileSync(prefsFile, 'utf8'), prefsFile);
  let gt: Map<string, number> | undefined;
  const scoresFile = args.str('scores');
  if (scoresFile) {
    const ds = openDatasetFromArgs(scoresFile, args);
    try { gt = groundTruth(readItems(ds)); } finally { ds.close(); }
  }
  const r = aggregateJudgements(judgements, gt);
  if (args.bool('json')) io.out(JSON.stringify({ scores: r.scores, kappa: r.kappa, plcc: r.plcc, srcc: r.srcc, accuracy: r.accuracy, judgements: r.judgements, pairs: r.pairs, consistent: r.consistent }, null, 2) + '\n');
  else io.out(textReport(r, `${prefsFile}: ${Object.keys(r.scores).length} items`).join('\n') + '\n');
  return 0;
}

async function withModel(args: ParsedArgs, io: CommandIO): Promise<number> {
  const rounds = args.num('rounds', 12)!;
  if (!Number.isInteger(rounds) || rounds < 1) throw new UsageError('--rounds must be a positive integer');
  const seed = args.str('seed') ?? '0';
  const question = args.str('question') ?? TWOAFC_QUESTION;
  const ds = openDatasetFromArgs(args.positionals[0], args);
  try {
    const items = readItems(ds).filter((it) => it.images.length > 0);
    if (items.length < 2) { io.err(`cocurate twoafc: ${ds.path}: needs an IQA score list with at least 2 images (format ${ds.format})\n`); return 2; }
    const gt = groundTruth(items);
    const groups = new Map<string, Item[]>();
    for (const it of items) {
      const g = it.subset ?? '';
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g)!.push(it);
    }
    const jobs: { group: string; a: Item; b: Item }[] = [];
    for (const [g, list] of groups) {
      for (const [i, j] of twoAfcRounds(list.length, rounds, `${seed}:${g}`)) {
        jobs.push({ group: g, a: list[i], b: list[j] }, { group: g, a: list[j], b: list[i] });
      }
    }
    const { profile, asker, curationFolder } = setupEndpoint(args, ds.path);
    const judgements: (Judgement & { group: string; answer?: string; error?: string })[] = jobs.map((j) => ({ group: j.group, a: j.a.images[0], b: j.b.images[0], winner: null }));
    const res = await withInterrupt((signal) => runBatch(jobs, async (j, _i, sig) => {
      const a = await asker.ask({ question, images: [j.a.images[0], j.b.images[0]] }, { signal: sig });
      const p = parseChoice(a.text, 2);
      const winner: Winner | null = p.kind === 'choice' ? (p.image === 0 ? 'a' : 'b') : p.kind === 'tie' ? 'tie' : null;
      return { winner, answer: a.text };
    }, {
      concurrency: profile.concurrency,
      signal,
      onSettled: (i, o, done, total) => {
        if (o.ok) Object.assign(judgements[i], o.value);
        else judgements[i].error = o.error.message;
        if (!args.bool('json')) io.err(`\r${done}/${total} comparisons`);
      },
    }));
    if (!args.bool('json')) io.err('\n');
    const answered = judgements.filter((j) => j.error === undefined && (j.answer !== undefined));
    const out = path.resolve(args.str('out') ?? path.join(curationFolder, 'reports', `twoafc-${profile.slug}.jsonl`));
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, answered.map((j) => JSON.stringify({ a: j.a, b: j.b, winner: j.winner, group: j.group || undefined, answer: j.answer })).join('\n') + '\n');
    const overall = aggregateJudgements(answered, gt);
    const perGroup: Record<string, TwoAfcResult> = {};
    if (groups.size > 1) for (const g of groups.keys()) perGroup[g] = aggregateJudgements(answered.filter((j) => j.group === g), gt);
    const failed = judgements.length - answered.length;
    if (args.bool('json')) {
      io.out(JSON.stringify({ file: ds.path, model: profile.model, profile: profile.name, rounds, seed, question, judgementsFile: out, failed, cancelled: res.cancelled, ...overall, groups: groups.size > 1 ? perGroup : undefined }, null, 2) + '\n');
    } else {
      const lines = textReport(overall, `${ds.path}: ${items.length} images, ${rounds} round(s), seed ${seed}; model ${profile.name}`);
      for (const [g, r] of Object.entries(perGroup)) lines.push('', ...textReport(r, `Group ${g}:`));
      if (failed) lines.push(`  ${failed} comparison(s) failed`);
      lines.push('', `Judgements: ${out} (re-aggregate with: cocurate twoafc --prefs ${path.relative(process.cwd(), out)} --scores ${path.relative(process.cwd(), ds.path)})`, '');
      io.out(lines.join('\n'));
    }
    if (res.cancelled) { io.err('cocurate twoafc: cancelled\n'); return 2; }
    return failed > 0 ? 1 : 0;
  } finally {
    ds.close();
  }
}

export const twoafc: Command = {
  name: 'twoafc',
  summary: '2AFC evaluation on an IQA score list (consistency κ, accuracy, Thurstone MAP scores, PLCC/SRCC)',
  usage: [
    'cocurate twoafc FILE --endpoint URL --model M [--rounds 12] [--seed S] [--question Q] [--out JUDGEMENTS.jsonl] [--json]',
    'cocurate twoafc --prefs PREFS.jsonl [--scores FILE] [--json]   (aggregate {"a","b","winner"} lines without a model)',
    '  Each round shuffles a dataset\'s images and pairs neighbours; each pair is asked in both orders.',
    ENDPOINT_USAGE,
  ].join('\n'),
  flags: endpointFlags({ values: [...DATASET_FLAGS, 'rounds', 'seed', 'question', 'out', 'prefs', 'scores'] }),
  run(args, io) {
    if (args.str('prefs')) return fromPrefs(args, io);
    if (!args.positionals[0]) throw new UsageError('missing FILE (an IQA score list) or --prefs PREFS.jsonl');
    return withModel(args, io);
  },
};
