/**
 * A served model over a whole spot check: ask every planned item (bounded concurrency, cache,
 * cancel), compare each answer with the label, and write the agreement file beside the plan:
 * `<plan dir>/agreement-<profile>.json` with the summary, every item and the disagreements.
 */
import * as path from 'node:path';
import { writeFileAtomic } from '../atomicWrite';
import type { Dataset } from '../dataset';
import type { Asker } from '../endpoint/asker';
import { publicEndpoint } from '../endpoint/answerCache';
import { runBatch } from '../endpoint/batch';
import { envSecrets, redactSecrets } from '../endpoint/redact';
import type { Item } from '../item';
import type { Plan } from '../plan';
import { compareItem, summarizeAgreement, type AgreementSummary, type ItemComparison } from './agreement';

export interface SpotcheckAnswers {
  profile: { name: string; model: string; endpoint: string[] };
  summary: AgreementSummary;
  items: (ItemComparison & { cached: boolean })[];
  disagreements: ItemComparison[];
  failures: { key: string; error: string }[];
  /** Planned items whose record changed since the plan was drawn (asked anyway, listed here). */
  drifted: string[];
  cancelled: boolean;
  at: string;
}

export interface SpotcheckAskOptions {
  concurrency?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, key: string) => void;
}

/** A planned item as it is in the dataset now (found by key when it moved); throws when it is gone. */
export function planItem(ds: Dataset, pi: Pick<Plan['items'][number], 'key' | 'index'>): Item {
  let index = pi.index;
  if (index >= ds.count || ds.keyFor(index) !== pi.key) {
    const found = ds.findKey(pi.key);
    if (found === undefined) throw new Error(`item ${pi.key} is no longer in the dataset`);
    index = found;
  }
  return ds.item(index);
}

export async function askSpotcheck(ds: Dataset, plan: Pick<Plan, 'items'>, asker: Asker, opts: SpotcheckAskOptions = {}): Promise<SpotcheckAnswers> {
  const drifted: string[] = [];
  const failures: { key: string; error: string }[] = [];
  const result = await runBatch(
    plan.items,
    async (pi, _i, signal) => {
      const item = planItem(ds, pi);
      if (item.hash !== pi.hash) drifted.push(pi.key);
      const a = await asker.askItem(item, { signal });
      return { ...compareItem(item, a.text), cached: a.cached };
    },
    {
      concurrency: opts.concurrency ?? asker.profile.concurrency,
      signal: opts.signal,
      onSettled: (i, outcome, done, total) => {
        if (!outcome.ok) failures.push({ key: plan.items[i].key, error: outcome.error.message });
        opts.onProgress?.(done, total, plan.items[i].key);
      },
    },
  );
  const items = result.outcomes.filter((o): o is { ok: true; value: ItemComparison & { cached: boolean } } => !!o && o.ok).map((o) => o.value);
  return {
    profile: { name: asker.profile.name, model: asker.profile.model, endpoint: asker.profile.baseURLs.map(publicEndpoint) },
    summary: summarizeAgreement(items, failures.length),
    items,
    disagreements: items.filter((r) => r.status === 'disagree'),
    failures,
    drifted,
    cancelled: result.cancelled,
    at: new Date().toISOString(),
  };
}

export function agreementPath(planDir: string, profileSlug: string): string {
  return path.join(planDir, `agreement-${profileSlug}.json`);
}

/** Writes the agreement file atomically; failure messages pass the redaction helper (`secrets`: keys in use). */
export function writeSpotcheckAnswers(planDir: string, profileSlug: string, a: SpotcheckAnswers, secrets: readonly string[] = envSecrets()): string {
  const file = agreementPath(planDir, profileSlug);
  const safe: SpotcheckAnswers = { ...a, failures: a.failures.map((f) => ({ key: f.key, error: redactSecrets(f.error, secrets) })) };
  writeFileAtomic(file, redactSecrets(JSON.stringify(safe, null, 1), secrets, { patterns: false }) + '\n');
  return file;
}
