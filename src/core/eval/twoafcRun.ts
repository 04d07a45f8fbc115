/**
 * Runs a 2AFC evaluation on an IQA score list through an Asker: per dataset group, seeded rounds of
 * neighbour pairs, each asked in both orders; answers parsed into winners and aggregated.
 */
import { parseChoice } from '../answers/parse';
import type { Dataset } from '../dataset';
import type { Asker } from '../endpoint/asker';
import { runBatch } from '../endpoint/batch';
import type { Item } from '../item';
import { forEachItem } from './readItems';
import { aggregateJudgements, twoAfcRounds, type Judgement, type TwoAfcResult, type Winner } from './twoafc';

export const TWOAFC_QUESTION = 'Which image has better quality, the first image or the second image?';

export interface TwoAfcRunOptions {
  rounds?: number;
  seed?: string;
  question?: string;
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export type RunJudgement = Judgement & { group: string; answer?: string; error?: string };

export interface TwoAfcRun {
  images: number;
  groups: string[];
  judgements: RunJudgement[];
  /** Judgements with an answer (parsed or not). */
  answered: RunJudgement[];
  overall: TwoAfcResult;
  perGroup: Record<string, TwoAfcResult>;
  failed: number;
  cancelled: boolean;
}

/** Ground-truth scores by image path and by item key. */
export function groundTruth(items: Item[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const it of items) {
    if (it.score === undefined) continue;
    if (it.images[0]) m.set(it.images[0], it.score);
    m.set(it.key, it.score);
  }
  return m;
}

/** Every readable item, in order (a broken record is left out); read in slices that let the event loop turn (readItems.ts). */
export async function readItems(ds: Dataset, signal?: AbortSignal): Promise<Item[]> {
  const items: Item[] = [];
  await forEachItem(
    ds,
    (item) => {
      if (item) items.push(item);
    },
    { signal },
  );
  return items;
}

export async function runTwoAfc(ds: Dataset, asker: Asker, opts: TwoAfcRunOptions = {}): Promise<TwoAfcRun> {
  const rounds = opts.rounds ?? 12;
  const seed = opts.seed ?? '0';
  const question = opts.question ?? TWOAFC_QUESTION;
  const items = (await readItems(ds, opts.signal)).filter((it) => it.images.length > 0);
  if (opts.signal?.aborted)
    // Cancelled while reading: no pairs were drawn, nothing was asked.
    return { images: items.length, groups: [], judgements: [], answered: [], overall: aggregateJudgements([]), perGroup: {}, failed: 0, cancelled: true };
  if (items.length < 2) throw new Error(`${ds.path}: needs an IQA score list with at least 2 images (format ${ds.format})`);
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
  const judgements: RunJudgement[] = jobs.map((j) => ({ group: j.group, a: j.a.images[0], b: j.b.images[0], winner: null }));
  const res = await runBatch(
    jobs,
    async (j, _i, signal) => {
      const a = await asker.ask({ question, images: [j.a.images[0], j.b.images[0]] }, { signal });
      const p = parseChoice(a.text, 2);
      const winner: Winner | null = p.kind === 'choice' ? (p.image === 0 ? 'a' : 'b') : p.kind === 'tie' ? 'tie' : null;
      return { winner, answer: a.text };
    },
    {
      concurrency: opts.concurrency ?? asker.profile.concurrency,
      signal: opts.signal,
      onSettled: (i, o, done, total) => {
        if (o.ok) Object.assign(judgements[i], o.value);
        else judgements[i].error = o.error.message;
        opts.onProgress?.(done, total);
      },
    },
  );
  const answered = judgements.filter((j) => j.error === undefined && j.answer !== undefined);
  const perGroup: Record<string, TwoAfcResult> = {};
  if (groups.size > 1)
    for (const g of groups.keys())
      perGroup[g] = aggregateJudgements(
        answered.filter((j) => j.group === g),
        gt,
      );
  return {
    images: items.length,
    groups: [...groups.keys()],
    judgements,
    answered,
    overall: aggregateJudgements(answered, gt),
    perGroup,
    failed: judgements.length - answered.length,
    cancelled: res.cancelled,
  };
}

/** Judgements as a preferences file (one JSON line each), re-aggregatable with `twoafc --prefs`. */
export function preferencesText(js: RunJudgement[]): string {
  return js.map((j) => JSON.stringify({ a: j.a, b: j.b, winner: j.winner, group: j.group || undefined, answer: j.answer })).join('\n') + '\n';
}
