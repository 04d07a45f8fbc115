/**
 * The curated dataset (issue #17; ARCHITECTURE.md, curation loop): the input's container and format,
 * every record that is not changed byte-identical to the input (its exact bytes, copied by the record
 * index's offsets, never re-serialised), dropped records gone with their separator, a corrected record
 * with only its label's characters replaced. Beside it, FILE.manifest.json: the source's fingerprint,
 * the plans, journals and decisions used, and per changed record its key, action, reviewer, time and
 * reasons. Both files are written atomically (temp file, fsync, rename). The extension runs it in a
 * worker thread of its own (applyWorker.ts; ARCHITECTURE.md › Opening a large dataset), with
 * progress and cancellation through `onProgress` and `cancelled`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempNameFor } from '../atomicWrite';
import { Dataset } from '../dataset';
import { decisionFor, readDecisions, type ReadDecisions } from '../decisions';
import { recordHash } from '../hash';
import { readPlan } from '../plan';
import type { FormatId } from '../item';
import { spotcheckReport, type ItemRow } from '../report/model';
import { assignStrata, parseStrata } from '../strata';
import { labelSpan, replaceLabel } from './labelSpan';

export interface ApplyOptions {
  /** Drop items judged incorrect (those with a correction are corrected instead when corrections apply). */
  dropIncorrect?: boolean;
  /** Replace the label of items judged incorrect that carry a correction. */
  corrections?: boolean;
  /** Follow decisions.json: drop every record of a stratum (or spot check) decided "drop"; apply corrections where "keep-with-corrections". */
  decisions?: boolean;
  now?: Date;
  /** Progress of the long steps, in bytes of `total`: indexing the input, writing the output. */
  onProgress?: (step: ApplyStep, done: number, total: number) => void;
  /**
   * Asked while the input is indexed, between records and between writes, and last just before the
   * output is renamed into place: true stops with ApplyCancelled, and nothing is written (the
   * temporary file is removed; an earlier output at that path stays as it was).
   */
  cancelled?: () => boolean;
}

export type ApplyStep = 'index' | 'write';

/** The apply was stopped through ApplyOptions.cancelled before its output was in place. */
export class ApplyCancelled extends Error {
  constructor() {
    super('the export was cancelled; nothing was written');
  }
}

export interface Change {
  key: string;
  index: number;
  action: 'dropped' | 'corrected';
  spotcheck: string;
  reviewer: string;
  at: string;
  reasons: string[];
  /** Why: "verdict incorrect", "decision drop (stratum 2)". */
  because: string;
  correction?: string;
}

export interface ApplyResult {
  input: string;
  output: string;
  manifest: string;
  records: number;
  kept: number;
  dropped: number;
  corrected: number;
  warnings: string[];
}

interface Loaded {
  dir: string;
  name: string;
  strata: string;
  items: ItemRow[];
  planItems: Map<string, { index: number; hash: string }>;
  decisions: ReadDecisions;
  journals: string[];
}

/** The reviewer whose verdict counts for an item (first in name order with the resolved verdict). */
function deciding(it: ItemRow): { reviewer: string; at: string } {
  const names = Object.keys(it.reviewers).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const r = names.find((n) => it.reviewers[n].verdict === it.verdict) ?? names[0];
  return { reviewer: r ?? '', at: r ? it.reviewers[r].at : '' };
}

/** `check` runs after each write of at most 1 MiB and before the rename: it throws to stop (the temporary file goes). */
function writeAtomic(file: string, parts: (Buffer | [number, number])[], src: number | undefined, check: (written: number) => void = () => {}): number {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempNameFor(file);
  const fd = fs.openSync(tmp, 'w');
  let written = 0;
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (const p of parts) {
      if (Buffer.isBuffer(p)) {
        fs.writeSync(fd, p);
        written += p.length;
        check(written);
        continue;
      }
      for (let pos = p[0]; pos < p[1]; ) {
        const n = fs.readSync(src!, buf, 0, Math.min(buf.length, p[1] - pos), pos);
        if (n <= 0) throw new Error(`the input ended early at byte ${pos}; was it changed while writing?`);
        fs.writeSync(fd, buf, 0, n);
        pos += n;
        written += n;
        check(written);
      }
    }
    fs.fsyncSync(fd);
    check(written);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
  return written;
}

export function manifestPath(out: string): string {
  return `${out}.manifest.json`;
}

/** Writes the curated dataset for `planDirs` (all over one dataset) to `out`, and its manifest. */
export function applyCuration(planDirs: string[], out: string, opts: ApplyOptions = {}): ApplyResult {
  if (planDirs.length === 0) throw new Error('no spot check given');
  const stop = (): void => {
    if (opts.cancelled?.()) throw new ApplyCancelled();
  };
  const warnings: string[] = [];
  const loaded: Loaded[] = [];
  let datasetAbs: string | undefined;
  let format: FormatId | undefined;
  for (const d of planDirs) {
    const plan = readPlan(d);
    const real = fs.realpathSync(plan.datasetAbs);
    if (datasetAbs !== undefined && real !== datasetAbs)
      throw new Error(`${plan.dir}: spot check "${plan.name}" is over ${real}, not ${datasetAbs}; apply spot checks of one dataset at a time`);
    datasetAbs = real;
    format ??= plan.dataset.format;
    const rep = spotcheckReport(plan.dir, { checkDrift: false });
    warnings.push(...rep.warnings.map((w) => `${plan.name}: ${w}`));
    const journals = fs
      .readdirSync(plan.dir)
      .filter((n) => /^verdicts-.+\.jsonl$/.test(n))
      .sort()
      .map((n) => path.join(plan.dir, n));
    loaded.push({
      dir: plan.dir,
      name: plan.name,
      strata: plan.strata,
      items: rep.items,
      planItems: new Map(plan.items.map((it) => [it.key, { index: it.index, hash: it.hash }])),
      decisions: readDecisions(plan.dir),
      journals,
    });
  }
  stop();
  const inputBytes = fs.statSync(datasetAbs!).size;
  const ds = Dataset.open(datasetAbs!, {
    ...(format ? { format } : {}),
    // A throw here ends the scan (a second scanning thread is stopped too); nothing is written yet.
    onProgress: opts.onProgress || opts.cancelled ? (_records, bytes) => (stop(), opts.onProgress?.('index', bytes, inputBytes)) : undefined,
  });
  try {
    stop();
    if (ds.container !== 'jsonl' && ds.container !== 'array')
      throw new Error(`${ds.path}: a ${ds.container} dataset cannot be curated in place (JSON array and JSONL only)`);
    const changes = new Map<number, Change>();
    const put = (c: Change) => {
      const old = changes.get(c.index);
      if (old?.action === 'dropped') return; // a drop stands
      if (old?.action === 'corrected' && c.action === 'corrected') {
        if (old.correction !== c.correction)
          warnings.push(`${c.key}: corrected differently in ${old.spotcheck} and ${c.spotcheck}; ${old.spotcheck}'s correction is used`);
        return;
      }
      changes.set(c.index, c);
    };
    for (const sc of loaded) {
      // Decisions to drop whole strata (or the whole spot check) reach every record of the population.
      if (opts.decisions) {
        const dropAll = sc.decisions.spotcheck?.decision === 'drop';
        const dropStrata = new Set([...sc.decisions.strata].filter(([, d]) => d.decision === 'drop').map(([h]) => h));
        if (dropAll || dropStrata.size) {
          const assigned = assignStrata(ds, parseStrata(sc.strata));
          for (let i = 0; i < assigned.length; i++) {
            const h = assigned[i];
            if (h === undefined) continue;
            const d = decisionFor(sc.decisions, h);
            if (d?.decision !== 'drop') continue;
            put({
              key: ds.keyFor(i),
              index: i,
              action: 'dropped',
              spotcheck: sc.name,
              reviewer: d.by,
              at: d.at,
              reasons: [],
              because: `decision drop (${d.stratum === undefined ? 'spot check' : `stratum ${d.stratum}`})`,
            });
          }
        }
      }
      for (const it of sc.items) {
        if (it.verdict !== 'incorrect') continue;
        const decision = opts.decisions ? decisionFor(sc.decisions, it.stratum) : undefined;
        const correct = it.correction !== undefined && (opts.corrections || decision?.decision === 'keep-with-corrections');
        if (!correct && !opts.dropIncorrect) continue;
        // The record the reviewers judged: at its planned index, or found by key, with the planned hash.
        const planned = sc.planItems.get(it.key)!;
        let i: number | undefined = planned.index < ds.count && ds.keyFor(planned.index) === it.key ? planned.index : ds.findKey(it.key);
        if (i === undefined) {
          warnings.push(`${sc.name}: ${it.key} is no longer in the dataset; nothing to change`);
          continue;
        }
        if (recordHash(ds.rawBytes(i)) !== planned.hash) {
          warnings.push(`${sc.name}: ${it.key} changed since it was sampled; left as it is`);
          i = undefined;
          continue;
        }
        const who = deciding(it);
        const base = { key: it.key, index: i, spotcheck: sc.name, reviewer: who.reviewer, at: who.at, reasons: it.reasons ?? [], because: 'verdict incorrect' };
        if (correct) put({ ...base, action: 'corrected', correction: it.correction });
        else put({ ...base, action: 'dropped' });
      }
    }

    // Corrected records: only the label's characters change.
    const replaced = new Map<number, Buffer>();
    for (const c of changes.values()) {
      if (c.action !== 'corrected') continue;
      const raw = ds.rawBytes(c.index);
      const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
      const text = buf.toString('utf8');
      const span = Buffer.from(text).equals(buf) ? labelSpan(text, ds.format, ds.mapping) : 'the record is not valid UTF-8';
      if (typeof span === 'string') {
        warnings.push(`${c.key}: not corrected (${span})${opts.dropIncorrect ? '; dropped instead' : ''}`);
        if (opts.dropIncorrect) {
          c.action = 'dropped';
          delete c.correction;
        } else changes.delete(c.index);
        continue;
      }
      replaced.set(c.index, Buffer.from(replaceLabel(text, span, c.correction!)));
    }

    // The output as byte ranges of the input and replacement records.
    const n = ds.count;
    const size = fs.statSync(ds.path).size;
    const parts: (Buffer | [number, number])[] = [];
    const push = (a: number, b: number) => {
      if (b <= a) return;
      const last = parts[parts.length - 1];
      if (Array.isArray(last) && last[1] === a) last[1] = b;
      else parts.push([a, b]);
    };
    let first = true;
    let kept = 0;
    if (n === 0) push(0, size);
    else {
      for (let i = 0; i < n; i++) {
        if ((i & 0xffff) === 0xffff) stop();
        if (changes.get(i)?.action === 'dropped') continue;
        // Each kept record brings the separator before it; the first kept one, what preceded record 0
        // (a BOM, "[" and the first line end).
        if (first) push(0, ds.index.start(0));
        else push(ds.index.end(i - 1), ds.index.start(i));
        const r = replaced.get(i);
        if (r) parts.push(r);
        else push(ds.index.start(i), ds.index.end(i));
        first = false;
        kept++;
      }
      if (first) push(0, ds.index.start(0)); // every record dropped: the brackets and line ends stay
      push(ds.index.end(n - 1), size);
    }

    const output = path.resolve(out);
    const src = fs.openSync(ds.path, 'r');
    const total = parts.reduce((t, p) => t + (Buffer.isBuffer(p) ? p.length : p[1] - p[0]), 0);
    let bytes: number;
    try {
      bytes = writeAtomic(output, parts, src, (written) => {
        stop();
        opts.onProgress?.('write', written, total);
      });
    } finally {
      fs.closeSync(src);
    }
    const list = [...changes.values()].sort((a, b) => a.index - b.index);
    const dropped = list.filter((c) => c.action === 'dropped').length;
    const corrected = list.filter((c) => c.action === 'corrected').length;
    const manifest = {
      v: 1,
      createdAt: (opts.now ?? new Date()).toISOString(),
      input: { path: ds.path, bytes: size, fingerprint: ds.fingerprint(), format: ds.format, container: ds.container },
      output: { path: output, bytes, records: kept },
      options: { dropIncorrect: !!opts.dropIncorrect, corrections: !!opts.corrections, decisions: !!opts.decisions },
      plans: loaded.map((l) => ({ name: l.name, dir: l.dir, journals: l.journals, decisions: l.decisions.history.length ? l.decisions.file : null })),
      counts: { records: n, kept, dropped, corrected },
      changes: list.map((c) => ({
        key: c.key,
        index: c.index,
        action: c.action,
        spotcheck: c.spotcheck,
        reviewer: c.reviewer,
        at: c.at,
        reasons: c.reasons,
        because: c.because,
        ...(c.correction !== undefined ? { correction: c.correction } : {}),
      })),
      warnings,
    };
    const mfile = manifestPath(output);
    writeAtomic(mfile, [Buffer.from(JSON.stringify(manifest, null, 1) + '\n')], undefined);
    return { input: ds.path, output, manifest: mfile, records: n, kept, dropped, corrected, warnings };
  } finally {
    ds.close();
  }
}
