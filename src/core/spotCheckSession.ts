/**
 * One reviewer working through one spot check: the frozen plan, the dataset it samples, and the
 * reviewer's verdict journal. Every mark is appended and fsynced (VerdictJournal.append) before
 * mark() returns, so whatever the UI shows as saved is on disk. No `vscode` here: the review
 * controller (src/extension/views/reviewView.ts) drives it (ARCHITECTURE.md › Core).
 */
import * as fs from 'node:fs';
import type { Dataset } from './dataset';
import type { IndexProgress } from './indexWorkerClient';
import { readPlan, type LoadedPlan } from './plan';
import { firstUnjudged, spotCheckProgress, type SpotCheckProgress } from './spotCheckProgress';
import { journalPath, readJournal, VerdictJournal, type VerdictLine, type VerdictValue } from './verdicts';

export type { LoadedPlan };

/**
 * Where open datasets come from: the extension's shared cache, which indexes a large file in a
 * worker thread so the host never blocks (ARCHITECTURE.md › Opening a large dataset); a plain
 * open/close elsewhere.
 */
export interface DatasetSource {
  acquireAsync(file: string, opts?: { signal?: AbortSignal; onProgress?: (p: IndexProgress) => void }): Promise<Dataset>;
  release(ds: Dataset): void;
}

/** How SpotCheckSession.open waits for the dataset. */
export interface SessionOpenOptions {
  signal?: AbortSignal;
  onProgress?: (p: IndexProgress) => void;
}

export class SpotCheckSession {
  readonly plan: LoadedPlan;
  readonly ds: Dataset;
  journal: VerdictJournal;
  latest: Map<string, VerdictLine>;
  warnings: string[] = [];
  private readonly keys: Set<string>;

  /**
   * Opens the spot check in `planDir`: the plan, then its dataset from `cache` (awaited: a large file
   * is indexed off this thread), then the reviewer's journal. `signal` gives up waiting (the promise
   * rejects and nothing stays acquired).
   */
  static async open(planDir: string, reviewer: string, cache: DatasetSource, opts: SessionOpenOptions = {}): Promise<SpotCheckSession> {
    const plan = readPlan(planDir);
    if (!fs.existsSync(plan.datasetAbs)) throw new Error(`the dataset of spot check "${plan.name}" is gone: ${plan.datasetAbs}`);
    const ds = await cache.acquireAsync(plan.datasetAbs, opts);
    try {
      return new SpotCheckSession(plan, reviewer, cache, ds);
    } catch (e) {
      cache.release(ds);
      throw e;
    }
  }

  private constructor(
    plan: LoadedPlan,
    public reviewer: string,
    private readonly cache: DatasetSource,
    ds: Dataset,
  ) {
    this.plan = plan;
    this.ds = ds;
    this.keys = new Set(this.plan.items.map((i) => i.key));
    const file = journalPath(this.plan.dir, reviewer);
    const read = readJournal(file);
    this.warnings.push(...read.warnings);
    this.latest = read.latest;
    this.journal = new VerdictJournal(file);
  }

  get journalFile(): string {
    return this.journal.file;
  }

  progress(): SpotCheckProgress {
    return spotCheckProgress(this.plan, this.latest);
  }
  resumePosition(): number {
    return firstUnjudged(this.plan, this.latest);
  }

  /** Dataset index of plan position `pos` (by key when the record moved, by index otherwise). */
  datasetIndex(pos: number): number {
    const it = this.plan.items[pos];
    if (!it) throw new Error(`no position ${pos} in spot check "${this.plan.name}" (size ${this.plan.items.length})`);
    if (!it.key.startsWith('#')) {
      const found = this.ds.findKey(it.key);
      if (found !== undefined) return found;
    }
    return it.index;
  }

  private planItem(key: string) {
    if (!this.keys.has(key)) throw new Error(`"${key}" is not an item of spot check "${this.plan.name}"`);
    return this.plan.items.find((i) => i.key === key)!;
  }

  /**
   * Appends the verdict and flushes it to disk; returns the line as written. A correction and reasons
   * (issue #17) belong to an incorrect verdict only; the line carries the item's whole state.
   */
  mark(key: string, verdict: VerdictValue, note?: string, fix: { correction?: string; reasons?: string[] } = {}): VerdictLine {
    const it = this.planItem(key);
    if (verdict !== 'incorrect' && (fix.correction !== undefined || fix.reasons?.length))
      throw new Error(`a correction or reasons go with an incorrect verdict, not "${verdict}" (item "${key}")`);
    const line = this.journal.append({ key, hash: it.hash, verdict, note, correction: fix.correction, reasons: fix.reasons, reviewer: this.reviewer });
    this.latest.set(key, line);
    return line;
  }

  /** Appends an undo line for the key; the verdict before it (if any) stands again. */
  undo(key: string): VerdictLine | undefined {
    const it = this.planItem(key);
    this.journal.append({ key, hash: it.hash, verdict: 'undo', reviewer: this.reviewer });
    this.latest = readJournal(this.journal.file).latest;
    return this.latest.get(key);
  }

  /** Another reviewer name (the setting changed, or was only loaded after the editor opened). */
  switchReviewer(reviewer: string): void {
    if (reviewer === this.reviewer) return;
    this.journal.close();
    this.reviewer = reviewer;
    const file = journalPath(this.plan.dir, reviewer);
    const read = readJournal(file);
    this.warnings = [...read.warnings];
    this.latest = read.latest;
    this.journal = new VerdictJournal(file);
  }

  dispose(): void {
    this.journal.close();
    this.cache.release(this.ds);
  }
}

export type { SpotCheckProgress };
