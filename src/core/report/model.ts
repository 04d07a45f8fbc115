/**
 * The spot-check report model: everything a renderer shows, computed once from plan folders and
 * their verdict journals (ARCHITECTURE.md, "Reports"). Renderers (markdown, html, json, csv) only format it.
 *
 * Rules, stated in every report:
 * - a reviewer's verdict on an item is the latest line not cancelled by an undo;
 * - skips are excluded from n and counted separately; items nobody judged yet are "pending";
 * - with several reviewers, an item's verdict is the one all its reviewers agree on, or, where they
 *   differ, that of the first reviewer in name order who judged it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset } from '../dataset';
import { fileFingerprint, recordHash } from '../hash';
import { readPlan, type LoadedPlan } from '../plan';
import { agreementStats } from '../stats/agreement';
import { fisherExact } from '../stats/fisher';
import { mcnemar } from '../stats/mcnemar';
import { newcombeDiff } from '../stats/newcombe';
import { newcombePairedDiff } from '../stats/newcombePaired';
import { stratifiedEstimate, type StratifiedEstimate } from '../stats/stratified';
import { wilson } from '../stats/wilson';
import { decisionFor, readDecisions, type Decision } from '../decisions';
import { readAllJournals, type VerdictValue } from '../verdicts';

const pct1 = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)} %`);

/** Strata with fewer judged items than this are marked indicative. */
export const INDICATIVE_BELOW = 30;

export const RESOLUTION_RULE =
  'With several reviewers, an item counts with the verdict all its reviewers agree on; where they differ, with the verdict of the first reviewer in name order who judged it.';

export interface ReviewerVerdict {
  verdict: VerdictValue;
  note?: string;
  /** The right label this reviewer wrote (issue #17). */
  correction?: string;
  reasons?: string[];
  at: string;
  /** The verdict was given on a different version of the record than the plan's. */
  stale: boolean;
}

export interface ItemRow {
  key: string;
  index: number;
  stratum: string;
  /** Resolved verdict; null when nobody judged the item yet. */
  verdict: VerdictValue | null;
  /** Reviewers disagree on this item. */
  disputed: boolean;
  reviewers: Record<string, ReviewerVerdict>;
  /** The record differs from the one sampled ("changed") or cannot be found ("missing"). */
  drift: 'changed' | 'missing' | null;
  /**
   * For an item resolved incorrect: the correction of the first reviewer in name order who judged it
   * incorrect and wrote one, and the reasons every such reviewer gave (first mention first).
   */
  correction?: string;
  reasons?: string[];
}

export interface StratumReport {
  name: string;
  N: number;
  n: number;
  k: number;
  skipped: number;
  pending: number;
  rate: number | null;
  ci: [number, number];
  indicative: boolean;
  /** Items of the stratum with a correction. */
  corrections: number;
  /** The decision that counts for this stratum (its own, else the spot check's). */
  decision: Decision | null;
}

export interface SpotcheckReport {
  name: string;
  /** `hunt`: a non-random queue (most suspicious first); its rates estimate nothing about the dataset. */
  kind: 'spot-check' | 'hunt';
  /** For a hunt: its precision, the share of judged items whose label was wrong (Wilson interval). */
  hunt?: { incorrect: number; judged: number; precision: number | null; ci: [number, number] };
  dir: string;
  dataset: { path: string; abs: string; fingerprint: string; currentFingerprint: string | null; changed: boolean | null };
  seed: string;
  size: number;
  strataBy: string;
  population: Record<string, number>;
  createdAt: string;
  n: number;
  k: number;
  skipped: number;
  pending: number;
  rate: number | null;
  ci: [number, number];
  method: 'wilson';
  confidence: number;
  strata: StratumReport[];
  weighted: StratifiedEstimate;
  reviewers: string[];
  disputed: number;
  drift: { checked: boolean; changed: string[]; missing: string[]; moved: string[]; staleVerdicts: number };
  warnings: string[];
  items: ItemRow[];
  /** Items resolved incorrect, counted by reason (an item with two reasons counts for both). */
  reasons: Record<string, number>;
  /** Items with a correction. */
  corrections: number;
  /** The spot check's own decision, and every stratum decision (decisions.json). */
  decisions: { spotcheck: Decision | null; strata: Record<string, Decision> };
}

export interface ComparisonReport {
  a: string;
  b: string;
  diff: number | null;
  ci: [number, number];
  /** 'newcombe' for different items; 'newcombe-paired' when both judged exactly the same items. */
  method: 'newcombe' | 'newcombe-paired';
  /** Fisher's exact p (independent samples only). */
  fisherP: number | null;
  confidence: number;
  /** Items judged in both spot checks: the samples are not independent. McNemar on those items. */
  shared: { items: number; onlyA: number; onlyB: number; mcnemarP: number; mcnemarMethod: string } | null;
}

export interface AgreementReport {
  spotcheck: string;
  reviewers: string[];
  /** Items every listed reviewer judged correct or incorrect (skips and pending left out). */
  items: number;
  raw: number | null;
  cohenKappa: number | null;
  fleissKappa: number | null;
  gwetAC1: number | null;
  /** Two reviewers: do their correctness rates differ (McNemar on the shared items)? */
  mcnemar?: { b: number; c: number; p: number; method: string };
}

export interface Report {
  generatedAt: string;
  confidence: number;
  rule: string;
  spotchecks: SpotcheckReport[];
  comparisons: ComparisonReport[];
  agreement: AgreementReport[];
}

export interface ReportOptions {
  confidence?: number;
  /** Compare every pair of spot checks (difference, Newcombe interval, Fisher's exact p). */
  compare?: boolean;
  /** Re-hash the sampled records to detect drift (default true). */
  checkDrift?: boolean;
  /** Reuse drift results while the dataset file is unchanged (live refresh). */
  driftCache?: DriftCache;
  now?: Date;
}

/** Reviewer names sort by code point, so "first in name order" is the same everywhere. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What re-hashing the sampled records found; depends only on the plan and the dataset file. */
export interface DriftResult {
  checked: boolean;
  currentFingerprint: string | null;
  status: Map<string, 'changed' | 'missing'>;
  moved: string[];
  errors: string[];
}

/**
 * Drift results by plan folder and dataset file state (size, mtime): a report refreshed for every new
 * verdict re-hashes the sampled records only when the dataset file changed.
 */
export type DriftCache = Map<string, DriftResult>;

/** Re-hashes the sampled records in `opened` (an open dataset of the plan's file), else in the file opened here. */
function computeDrift(plan: LoadedPlan, opened?: Dataset): DriftResult {
  const out: DriftResult = { checked: false, currentFingerprint: null, status: new Map(), moved: [], errors: [] };
  if (!fs.existsSync(plan.datasetAbs)) {
    out.errors.push(`dataset ${plan.datasetAbs} not found: drift not checked`);
    return out;
  }
  let ds: Dataset | undefined;
  try {
    out.currentFingerprint = fileFingerprint(plan.datasetAbs);
    ds = opened ?? Dataset.open(plan.datasetAbs, plan.dataset.format ? { format: plan.dataset.format } : {});
    for (const it of plan.items) {
      if (it.index < ds.count && recordHash(ds.rawBytes(it.index)) === it.hash) continue;
      // The record may have moved (an id key): look it up by key before calling it changed.
      const j = it.key.startsWith('#') ? undefined : ds.findKey(it.key);
      if (j !== undefined && recordHash(ds.rawBytes(j)) === it.hash) {
        out.moved.push(it.key);
        continue;
      }
      // "#i" keys are positions: gone when the file is shorter. Id keys: gone when no record has the id.
      const gone = it.key.startsWith('#') ? it.index >= ds.count : j === undefined;
      out.status.set(it.key, gone ? 'missing' : 'changed');
    }
    out.checked = true;
  } catch (e) {
    out.errors.push(`dataset ${plan.datasetAbs} could not be read (${(e as Error).message}); drift not checked`);
  } finally {
    if (ds !== opened) ds?.close();
  }
  return out;
}

/** The drift cache's key: the plan and the dataset file's state. */
function driftKey(plan: LoadedPlan): string {
  let stamp = 'absent';
  try {
    const st = fs.statSync(plan.datasetAbs);
    stamp = `${st.size}:${st.mtimeMs}`;
  } catch {
    /* computeDrift reports it */
  }
  return `${plan.dir}\u0000${plan.createdAt}\u0000${plan.items.length}\u0000${plan.datasetAbs}\u0000${stamp}`;
}

function storeDrift(cache: DriftCache, plan: LoadedPlan, key: string, r: DriftResult): void {
  for (const k of cache.keys()) if (k.startsWith(`${plan.dir}\u0000`)) cache.delete(k);
  cache.set(key, r);
}

function driftFor(plan: LoadedPlan, cache: DriftCache | undefined): DriftResult {
  if (!cache) return computeDrift(plan);
  const key = driftKey(plan);
  const hit = cache.get(key);
  if (hit) return hit;
  const r = computeDrift(plan);
  storeDrift(cache, plan, key, r);
  return r;
}

/** Where prepareDrift gets open datasets (the extension's cache: a large file is indexed off the host thread). */
export interface DriftDatasets {
  acquireAsync(file: string, opts: { format?: Dataset['format'] }): Promise<Dataset>;
  release(ds: Dataset): void;
}

/**
 * Works out the drift of each plan that `cache` does not hold yet, with its dataset from `datasets`,
 * so that buildReport with this cache reads no dataset itself (ARCHITECTURE.md › Opening a large
 * dataset). Plans that cannot be read are left to buildReport, which reports them.
 */
export async function prepareDrift(planDirs: string[], cache: DriftCache, datasets: DriftDatasets): Promise<void> {
  for (const dir of planDirs) {
    let plan: LoadedPlan;
    try {
      plan = readPlan(dir);
    } catch {
      continue;
    }
    const key = driftKey(plan);
    if (cache.has(key) || !fs.existsSync(plan.datasetAbs)) continue;
    let ds: Dataset;
    try {
      ds = await datasets.acquireAsync(plan.datasetAbs, { format: plan.dataset.format });
    } catch (e) {
      const r: DriftResult = { checked: false, currentFingerprint: null, status: new Map(), moved: [], errors: [] };
      r.errors.push(`dataset ${plan.datasetAbs} could not be read (${(e as Error).message}); drift not checked`);
      storeDrift(cache, plan, key, r);
      continue;
    }
    try {
      storeDrift(cache, plan, key, computeDrift(plan, ds));
    } finally {
      datasets.release(ds);
    }
  }
}

function applyDrift(plan: LoadedPlan, r: DriftResult, rows: ItemRow[], out: SpotcheckReport): void {
  out.warnings.push(...r.errors);
  out.dataset.currentFingerprint = r.currentFingerprint;
  out.dataset.changed = r.currentFingerprint === null ? null : r.currentFingerprint !== plan.dataset.fingerprint;
  const d = out.drift;
  d.checked = r.checked;
  d.moved.push(...r.moved);
  for (const row of rows) {
    const st = r.status.get(row.key);
    if (!st) continue;
    row.drift = st;
    (st === 'missing' ? d.missing : d.changed).push(row.key);
  }
  if (d.changed.length)
    out.warnings.push(
      `${d.changed.length} sampled record(s) changed since the plan was drawn (hash drift): ${d.changed.slice(0, 10).join(', ')}${d.changed.length > 10 ? ', …' : ''}`,
    );
  if (d.missing.length)
    out.warnings.push(
      `${d.missing.length} sampled record(s) are missing from the dataset now: ${d.missing.slice(0, 10).join(', ')}${d.missing.length > 10 ? ', …' : ''}`,
    );
  if (d.moved.length) out.warnings.push(`${d.moved.length} sampled record(s) moved to another position (same content)`);
  if (out.dataset.changed && d.checked && !d.changed.length && !d.missing.length)
    out.warnings.push('the dataset file changed since the plan, but every sampled record is unchanged');
}

/** Builds one spot check's part of the report. */
export function spotcheckReport(planDir: string, opts: ReportOptions = {}): SpotcheckReport {
  const confidence = opts.confidence ?? 0.95;
  const plan = readPlan(planDir);
  const journals = readAllJournals(plan.dir);
  const warnings: string[] = [];
  // Journal warnings name files relative to the plan folder (absolute paths are noise in a report).
  for (const j of journals) warnings.push(...j.warnings.map((w) => w.split(plan.dir + path.sep).join('')));

  // One entry per reviewer name (two journal files for one name are merged, later file wins per key).
  const byReviewer = new Map<string, Map<string, ReviewerVerdict & { key: string }>>();
  const planKeys = new Map(plan.items.map((it) => [it.key, it]));
  let unknown = 0;
  let staleVerdicts = 0;
  for (const j of journals) {
    const m = byReviewer.get(j.reviewer) ?? new Map();
    for (const [key, line] of j.latest) {
      const it = planKeys.get(key);
      if (!it) {
        unknown++;
        continue;
      }
      const stale = typeof line.hash === 'string' && line.hash !== '' && line.hash !== it.hash;
      m.set(key, {
        key,
        verdict: line.verdict,
        ...(line.note ? { note: line.note } : {}),
        ...(line.correction !== undefined ? { correction: line.correction } : {}),
        ...(line.reasons?.length ? { reasons: line.reasons } : {}),
        at: line.at,
        stale,
      });
    }
    byReviewer.set(j.reviewer, m);
  }
  if (unknown) warnings.push(`${unknown} verdict(s) name items that are not in this plan; ignored`);
  const reviewers = [...byReviewer.keys()].sort(byName);

  let disputed = 0;
  const rows: ItemRow[] = plan.items.map((it) => {
    const got: Record<string, ReviewerVerdict> = {};
    const order: VerdictValue[] = [];
    for (const r of reviewers) {
      const v = byReviewer.get(r)!.get(it.key);
      if (!v) continue;
      const { key: _key, ...rv } = v;
      got[r] = rv;
      if (rv.stale) staleVerdicts++;
      order.push(rv.verdict);
    }
    const agreed = order.length > 0 && order.every((v) => v === order[0]);
    const isDisputed = order.length > 1 && !agreed;
    if (isDisputed) disputed++;
    const verdict = order.length ? order[0] : null;
    const row: ItemRow = { key: it.key, index: it.index, stratum: it.stratum, verdict, disputed: isDisputed, reviewers: got, drift: null };
    if (verdict === 'incorrect') {
      const wrong = reviewers.filter((r) => got[r]?.verdict === 'incorrect');
      const correction = wrong.map((r) => got[r].correction).find((c) => c !== undefined);
      const reasons = [...new Set(wrong.flatMap((r) => got[r].reasons ?? []))];
      if (correction !== undefined) row.correction = correction;
      if (reasons.length) row.reasons = reasons;
    }
    return row;
  });
  if (staleVerdicts) warnings.push(`${staleVerdicts} verdict(s) were given on a different version of the record than the plan's (hash differs)`);

  const count = (list: ItemRow[]) => {
    let n = 0,
      k = 0,
      skipped = 0,
      pending = 0;
    for (const r of list) {
      if (r.verdict === null) pending++;
      else if (r.verdict === 'skip') skipped++;
      else {
        n++;
        if (r.verdict === 'correct') k++;
      }
    }
    return { n, k, skipped, pending };
  };
  const all = count(rows);
  const overall = wilson(all.k, all.n, confidence);

  let decisions: ReturnType<typeof readDecisions>;
  try {
    decisions = readDecisions(plan.dir);
  } catch (e) {
    warnings.push(`decisions not read: ${(e as Error).message.split(plan.dir + path.sep).join('')}`);
    decisions = { file: '', history: [], strata: new Map() };
  }
  const reasons: Record<string, number> = {};
  for (const r of rows) for (const why of r.reasons ?? []) reasons[why] = (reasons[why] ?? 0) + 1;
  const strataNames = Object.keys(plan.population);
  for (const r of rows) if (!strataNames.includes(r.stratum)) strataNames.push(r.stratum);
  const strata: StratumReport[] = strataNames.map((name) => {
    const c = count(rows.filter((r) => r.stratum === name));
    const w = wilson(c.k, c.n, confidence);
    const corrections = rows.filter((r) => r.stratum === name && r.correction !== undefined).length;
    return {
      name,
      N: plan.population[name] ?? 0,
      ...c,
      rate: w.rate,
      ci: w.ci,
      indicative: c.n < INDICATIVE_BELOW,
      corrections,
      decision: decisionFor(decisions, name) ?? null,
    };
  });
  const sampled = new Set(plan.items.map((it) => it.stratum));
  const weighted = stratifiedEstimate(
    strata.filter((s) => sampled.has(s.name)).map((s) => ({ name: s.name, N: s.N, n: s.n, k: s.k })),
    confidence,
  );
  const unsampled = strata.filter((s) => !sampled.has(s.name) && s.N > 0);
  if (unsampled.length)
    weighted.notes.push(`strata never sampled by the plan, outside the estimate: ${unsampled.map((s) => `"${s.name}" (N=${s.N})`).join(', ')}`);
  // Judged counts far from proportional to N_h (explicit per-stratum sizes, or skips piling up in one
  // stratum): the pooled rate then misweights the strata, and only the weighted estimate is unbiased.
  const Ntot = strata.reduce((a, h) => a + h.N, 0);
  const nTot = strata.reduce((a, h) => a + h.n, 0);
  const skewed =
    strata.length > 1 && Ntot > 0 && nTot > 0 && strata.some((h) => Math.abs(h.n - (nTot * h.N) / Ntot) > Math.max(1, (0.1 * (nTot * h.N)) / Ntot));
  if (skewed)
    warnings.push(
      `the judged items are not proportional to the stratum sizes: the pooled rate misweights the strata; the weighted estimate (${pct1(weighted.rate)}) is the population estimate`,
    );
  const indicative = strata.filter((s) => sampled.has(s.name) && s.n > 0 && s.indicative);
  if (indicative.length && strata.length > 1)
    warnings.push(
      `${indicative.length === 1 ? `stratum "${indicative[0].name}" has` : `${indicative.length} strata have`} fewer than ${INDICATIVE_BELOW} judged items: ${indicative.length === 1 ? 'its rate is' : 'their rates are'} indicative only`,
    );
  if (disputed) warnings.push(`reviewers disagree on ${disputed} item(s); ${RESOLUTION_RULE.replace(/^With several reviewers, an item/, 'each')}`);

  const kind = plan.kind === 'hunt' ? 'hunt' : 'spot-check';
  if (kind === 'hunt')
    warnings.unshift(
      'a hunt (most suspicious first), not a random sample: its rates estimate nothing about the dataset and it is never compared with or pooled into spot checks; read its precision',
    );
  const huntPrecision = wilson(all.n - all.k, all.n, confidence);
  const out: SpotcheckReport = {
    name: plan.name,
    kind,
    ...(kind === 'hunt' ? { hunt: { incorrect: all.n - all.k, judged: all.n, precision: huntPrecision.rate, ci: huntPrecision.ci } } : {}),
    dir: plan.dir,
    dataset: { path: plan.dataset.path, abs: plan.datasetAbs, fingerprint: plan.dataset.fingerprint, currentFingerprint: null, changed: null },
    seed: String(plan.seed),
    size: plan.items.length,
    strataBy: plan.strata,
    population: plan.population,
    createdAt: plan.createdAt,
    ...all,
    rate: overall.rate,
    ci: overall.ci,
    method: 'wilson',
    confidence,
    strata,
    weighted,
    reviewers,
    disputed,
    drift: { checked: false, changed: [], missing: [], moved: [], staleVerdicts },
    warnings,
    items: rows,
    reasons,
    corrections: rows.filter((r) => r.correction !== undefined).length,
    decisions: { spotcheck: decisions.spotcheck ?? null, strata: Object.fromEntries(decisions.strata) },
  };
  if (opts.checkDrift !== false) applyDrift(plan, driftFor(plan, opts.driftCache), rows, out);
  return out;
}

const CATEGORY: Record<string, number> = { correct: 0, incorrect: 1 };

/** Agreement among a set of reviewers on the items all of them judged correct or incorrect. */
export function agreementFor(s: SpotcheckReport, reviewers: string[]): AgreementReport {
  const shared = s.items.filter((it) => reviewers.every((r) => it.reviewers[r] && it.reviewers[r].verdict !== 'skip'));
  const ratings = reviewers.map((r) => shared.map((it) => CATEGORY[it.reviewers[r].verdict]));
  const st = agreementStats(ratings, 2);
  const out: AgreementReport = {
    spotcheck: s.name,
    reviewers,
    items: shared.length,
    raw: st.raw,
    cohenKappa: st.cohenKappa,
    fleissKappa: st.fleissKappa,
    gwetAC1: st.gwetAC1,
  };
  if (reviewers.length === 2) {
    let b = 0,
      c = 0;
    for (let i = 0; i < shared.length; i++) {
      if (ratings[0][i] === 0 && ratings[1][i] === 1) b++;
      if (ratings[0][i] === 1 && ratings[1][i] === 0) c++;
    }
    const m = mcnemar(b, c);
    out.mcnemar = { b, c, p: m.p, method: m.method };
  }
  return out;
}

/** Agreement entries of one spot check: all reviewers together, then every pair when there are more than two. */
export function agreementReports(s: SpotcheckReport): AgreementReport[] {
  const r = s.reviewers;
  if (r.length < 2) return [];
  const out = [agreementFor(s, r)];
  if (r.length > 2) for (let i = 0; i < r.length; i++) for (let j = i + 1; j < r.length; j++) out.push(agreementFor(s, [r[i], r[j]]));
  return out;
}

/** Difference a − b between two spot checks' correctness rates. */
export function compareSpotchecks(a: SpotcheckReport, b: SpotcheckReport, confidence = 0.95): ComparisonReport {
  const d = newcombeDiff(a.k, a.n, b.k, b.n, confidence);
  const fisherP = a.n > 0 && b.n > 0 ? fisherExact(a.k, a.n - a.k, b.k, b.n - b.k) : null;
  // Same items in both (e.g. the same sample judged against labels and against model answers).
  const judged = (s: SpotcheckReport) =>
    new Map(s.items.filter((it) => it.verdict === 'correct' || it.verdict === 'incorrect').map((it) => [it.key, it.verdict]));
  const ja = judged(a);
  const jb = judged(b);
  let both = 0,
    bc = 0,
    cc = 0,
    aa = 0,
    dd = 0;
  for (const [key, va] of ja) {
    const vb = jb.get(key);
    if (!vb) continue;
    both++;
    if (va === 'correct' && vb === 'correct') aa++;
    if (va === 'correct' && vb === 'incorrect') bc++;
    if (va === 'incorrect' && vb === 'correct') cc++;
    if (va === 'incorrect' && vb === 'incorrect') dd++;
  }
  let shared: ComparisonReport['shared'] = null;
  if (both > 0) {
    const m = mcnemar(bc, cc);
    shared = { items: both, onlyA: ja.size - both, onlyB: jb.size - both, mcnemarP: m.p, mcnemarMethod: m.method };
  }
  // Exactly the same judged items: a paired comparison (Newcombe's paired interval, McNemar).
  if (shared && shared.onlyA === 0 && shared.onlyB === 0) {
    const p = newcombePairedDiff(aa, bc, cc, dd, confidence);
    return { a: a.name, b: b.name, diff: p.diff, ci: p.ci, method: 'newcombe-paired', fisherP: null, confidence, shared };
  }
  return { a: a.name, b: b.name, diff: d.diff, ci: d.ci, method: 'newcombe', fisherP, confidence, shared };
}

/** The whole report over one or more plan folders. */
export function buildReport(planDirs: string[], opts: ReportOptions = {}): Report {
  const confidence = opts.confidence ?? 0.95;
  const spotchecks = planDirs.map((d) => spotcheckReport(d, { ...opts, confidence }));
  const comparisons: ComparisonReport[] = [];
  if (opts.compare) {
    // Hunts are not random samples: never compared with spot checks (nor with each other).
    const random = spotchecks.filter((s) => s.kind !== 'hunt');
    for (let i = 0; i < random.length; i++) for (let j = i + 1; j < random.length; j++) comparisons.push(compareSpotchecks(random[i], random[j], confidence));
  }
  return {
    generatedAt: (opts.now ?? new Date()).toISOString(),
    confidence,
    rule: RESOLUTION_RULE,
    spotchecks,
    comparisons,
    agreement: spotchecks.flatMap(agreementReports),
  };
}
