/**
 * Browse mode (ARCHITECTURE.md › Extension host): a dataset in the "curator.dataset" custom
 * editor, read from disk through the core index. Filters are kept here (the webview holds only
 * their ids); positions in the webview are list positions, and the host speaks dataset record
 * indices (GetRecord, ShowRecord). While a worker thread indexes a large file the view serves its
 * first records (the head) and reloads the webview with the whole dataset when the index arrives
 * (ARCHITECTURE.md › Opening a large dataset); filters that must read records run in that worker.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { filterRecords, isEmptyFilter, rowSummary, type BrowseFilterSpec } from '../../core/browseFilter';
import { orderBySuspicion } from '../../core/claims/datasetSuspicion';
import { itemClaims } from '../../core/claims/itemClaims';
import { CueStore } from '../../core/cues/cueStore';
import type { Dataset } from '../../core/dataset';
import { listPlans, readPlan } from '../../core/plan';
import { journalPath, readJournal, type VerdictValue } from '../../core/verdicts';
import * as P from '../../protocol';
import type { CuratorContext } from '../context';
import type { OpenJob } from '../datasetCache';
import { curationFolder } from '../settings';
import { toClaimsView } from './claimsView';
import type { CuratorPage } from './curatorPage';
import { CuratorViewBase } from './curatorView';

export class BrowseView extends CuratorViewBase {
  readonly mode = 'browse';
  private readonly filters = new Map<number, Int32Array | null>();
  private nextFilterId = 1;
  private pendingIndex: number | undefined;
  private released = false;
  private ds: Dataset;
  /** The job indexing the file while this view shows its head; undefined once the whole dataset is here. */
  private indexing: OpenJob | undefined;
  private querying: AbortController | undefined;
  /** Every record's suspicion once measured (or read from `.curator/suspicion-v1.json`); NaN: unreadable record. */
  private scores: Float64Array | undefined;
  private measuringSuspicion: Promise<Float64Array | undefined> | undefined;
  private cueStore: CueStore | undefined;
  private claimsCtrl: AbortController | undefined;

  constructor(
    ctx: CuratorContext,
    panel: vscode.WebviewPanel,
    first: Dataset,
    private readonly job: OpenJob,
    page?: CuratorPage,
  ) {
    super(ctx, panel, first.path, { reason: undefined }, page);
    this.ds = first;
    const ch = this.channel;
    ch.onRequest(P.GetRecord, ({ index }) => this.record(index));
    ch.onRequest(P.Query, ({ filter }) => this.query(filter));
    ch.onRequest(P.GetRecordClaims, ({ index }) => this.claims(index));
    ch.onRequest(P.ListPage, async ({ filterId, offset, limit }) => {
      const ds = this.ds;
      const matches = this.filters.get(filterId);
      const n = matches ? matches.length : ds.count;
      const verdicts = this.verdicts();
      const rows: P.ListRow[] = [];
      for (let k = Math.max(0, offset); k < Math.min(n, offset + Math.min(limit, 500)); k++) {
        const index = matches ? matches[k] : k;
        await ds.prepare([index]); // a parquet row group is decoded in the index worker, not here (at once when it was)
        const r = rowSummary(ds, index);
        const s = this.scores?.[r.index];
        rows.push({ ...r, verdict: verdicts.get(r.key), ...(s !== undefined && !Number.isNaN(s) ? { suspicion: s } : {}) });
      }
      return { rows, offset };
    });
    this.start();
  }

  /** A filter (and sort) of the list, kept under the returned filterId for ListPage. */
  async query(filter: P.BrowseFilter): Promise<{ total: number; matches: number; filterId: number; sorted: boolean; note?: string }> {
    const ds = this.ds;
    const { sort, minSuspicion, ...rest } = filter;
    let matches = await this.match(ds, rest);
    let note: string | undefined;
    let sorted = false;
    const wantsSuspicion = sort === 'suspicion' || minSuspicion !== undefined;
    if (wantsSuspicion) {
      const r = await this.suspicionScores();
      if (typeof r === 'string') note = r;
      else if (this.ds === ds) {
        matches = orderBySuspicion(r, matches, { min: minSuspicion, sort: sort === 'suspicion' });
        sorted = sort === 'suspicion';
      }
    }
    const filterId = this.nextFilterId++;
    this.filters.set(filterId, matches);
    if (this.filters.size > 4) this.filters.delete(Math.min(...this.filters.keys()));
    return { total: ds.count, matches: matches ? matches.length : ds.count, filterId, sorted, note };
  }

  /** Dataset record indices of a query's first `n` list positions (for tests, through curator.internal.browseQuery). */
  firstMatches(filterId: number, n: number): number[] {
    const matches = this.filters.get(filterId);
    const count = matches ? matches.length : this.ds.count;
    return Array.from({ length: Math.min(n, count) }, (_, k) => (matches ? matches[k] : k));
  }

  /** While indexing: the whole dataset arrived (swap and reload the webview), or indexing failed (nothing to swap). */
  whileIndexing(head: Dataset): Promise<void> {
    this.indexing = this.job;
    return this.job.done.then((ds) => {
      if (this.released) return;
      this.indexing = undefined;
      this.ds = ds;
      this.filters.clear();
      this.scores = undefined;
      head.close();
      if (this.ready) void this.channel.notify(P.Refresh, { reason: 'indexed' });
    });
  }

  /** Is the view still showing only the head of a file being indexed? */
  get isIndexing(): boolean {
    return this.indexing !== undefined;
  }

  /**
   * Records passing a filter: empty → null; group size alone from the index's column here; what
   * must read records (text, subset, verdicts) in the index worker, with progress and Cancel; in this
   * thread when there is no worker (a small file, or the head while indexing).
   */
  private async match(ds: Dataset, filter: BrowseFilterSpec): Promise<Int32Array | null> {
    if (isEmptyFilter(filter)) return null;
    const worker = this.indexing ? undefined : this.job.worker;
    const judging = !!filter.verdict && filter.verdict !== 'any';
    const verdicts = judging ? this.verdicts() : new Map<string, VerdictValue>();
    const sizes = worker?.groupSizes;
    if (!worker || (sizes && !filter.text && !filter.subset && !judging)) return filterRecords(ds, filter, (k) => verdicts.get(k), { groupSizes: sizes });
    this.querying?.abort();
    const ctrl = new AbortController();
    this.querying = ctrl;
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Curator: filtering ${path.basename(ds.path)}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => ctrl.abort());
        let shown = 0;
        return worker.filter(
          filter,
          verdicts,
          (done, total) => {
            const pct = Math.floor((100 * done) / Math.max(1, total));
            progress.report({ increment: pct - shown, message: `${done.toLocaleString('en')} of ${total.toLocaleString('en')} records` });
            shown = pct;
          },
          ctrl.signal,
        );
      },
    );
  }

  /**
   * Every record's suspicion (core datasetSuspicion): measured on demand, the first time a sort or
   * filter by suspicion asks, with progress and Cancel; cached by the dataset's fingerprint in the
   * curation folder, so the next open reads it back. A file indexed in a worker is measured (or its
   * cache file read) in that worker (DatasetCache.suspicion), never on this thread. A string says
   * why there are no scores.
   */
  private async suspicionScores(): Promise<Float64Array | string> {
    if (!vscode.workspace.isTrusted) return 'Suspicion is not measured in an untrusted workspace: trust it to sort or filter by suspicion.';
    if (this.indexing) return 'Suspicion is measured once the whole file is indexed.';
    if (this.scores) return this.scores;
    const ds = this.ds;
    this.measuringSuspicion ??= Promise.resolve(
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Curator: measuring suspicion in ${path.basename(ds.path)}`, cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          let last = 0;
          try {
            const r = await this.ctx.datasets.suspicion(
              ds,
              { imageRoot: this.imageRoot(), curationFolder: curationFolder(ds.path) },
              (done, total) => {
                const pct = (100 * done) / Math.max(1, total);
                if (pct - last >= 1 || done === total) {
                  progress.report({ increment: pct - last, message: `${done.toLocaleString('en')} of ${total.toLocaleString('en')} images` });
                  last = pct;
                }
              },
              abort.signal,
            );
            for (const w of r.warnings.slice(0, 20)) this.ctx.log.warn(`suspicion: ${w}`);
            this.ctx.log.info(
              `suspicion of ${ds.count} records ${r.fromCache ? `read from ${r.file}` : `measured (${r.stats.measured} images measured, ${r.stats.cached} from the cue cache) → ${r.file}`}`,
            );
            return r.scores;
          } catch (e) {
            if (!abort.signal.aborted) throw e;
            return undefined;
          }
        },
      ),
    ).finally(() => {
      this.measuringSuspicion = undefined;
    });
    const scores = await this.measuringSuspicion;
    if (!scores) return 'Measuring suspicion was cancelled; the list is in record order.';
    if (this.ds === ds) this.scores = scores;
    return scores;
  }

  /** The label's claims of the record at a dataset index, with its images' cues (core itemClaims; cue cache in the curation folder). */
  private async claims(index: number): Promise<P.ItemClaimsView> {
    if (!vscode.workspace.isTrusted) throw new Error('image cues are not measured in an untrusted workspace');
    this.claimsCtrl?.abort();
    const ctrl = new AbortController();
    this.claimsCtrl = ctrl;
    const ds = this.ds;
    await ds.prepare([index]);
    const item = ds.item(index);
    this.cueStore ??= CueStore.open(path.join(curationFolder(ds.path), 'cues'));
    const r = await itemClaims(item, this.imageRoot(), this.cueStore, { signal: ctrl.signal });
    if (ctrl.signal.aborted) throw new Error('superseded by a later item');
    return toClaimsView(item.key, r);
  }

  protected get self(): BrowseView {
    return this;
  }
  get dataset(): Dataset {
    return this.ds;
  }

  /** Shows a dataset record now, or as the first item once the webview has started. */
  reveal(index: number): void {
    // A record past the head of a file being indexed is shown when the whole dataset is here.
    if (this.ready && !(this.indexing && index >= this.ds.count)) void this.channel.notify(P.ShowRecord, { index });
    else this.pendingIndex = index;
    this.panel.reveal();
  }

  protected initState(state: P.PersistedState | undefined): P.InitState {
    const ds = this.ds;
    const wanted = this.pendingIndex ?? state?.browseIndex ?? 0;
    const reveal = this.pendingIndex;
    if (reveal !== undefined && !this.indexing) {
      this.pendingIndex = undefined;
      // A reload starts where the webview was: the record asked for follows the answer.
      if (state?.browseIndex !== undefined) setTimeout(() => void this.channel.notify(P.ShowRecord, { index: reveal }), 0);
    }
    const size = this.job.worker?.progress?.size;
    return {
      mode: 'browse',
      readOnly: this.readOnly,
      dataset: this.datasetInfo(),
      subsets: this.subsets(),
      start: Math.min(Math.max(0, wanted), Math.max(0, ds.count - 1)),
      // The head of a file cut mid-record ends with a fault that is not in the file.
      warnings: this.indexing
        ? [
            `Indexing ${path.basename(ds.path)}${size ? ` (${(size / 1e6).toFixed(0)} MB)` : ''}: the first ${ds.count.toLocaleString('en')} records are shown; the view reloads with all of them when the index is built.`,
          ]
        : ds.index.errors.slice(0, 3).map((e) => `line ${e.line}: ${e.message}`),
    };
  }

  /** Subset names: from the index worker (it read the first records), else from this dataset. */
  protected override subsets(): string[] {
    const w = this.indexing ? undefined : this.job.worker;
    return w ? w.subsets : super.subsets();
  }

  /** This reviewer's current verdicts from every spot check of this dataset (for the verdict filter and list badges). */
  private verdicts(): Map<string, VerdictValue> {
    const out = new Map<string, VerdictValue>();
    const folder = curationFolder(this.ds.path);
    const reviewer = this.ctx.settings.reviewer;
    for (const name of listPlans(folder)) {
      try {
        const plan = readPlan(path.join(folder, 'spotchecks', name));
        if (path.resolve(plan.datasetAbs) !== path.resolve(this.ds.path)) continue;
        for (const [k, l] of readJournal(journalPath(plan.dir, reviewer)).latest) out.set(k, l.verdict);
      } catch (e) {
        this.ctx.log.warn(`browse verdicts: spot check ${name} skipped: ${(e as Error).message}`); // an unreadable plan does not stop browsing
      }
    }
    return out;
  }

  override dispose(): void {
    super.dispose();
    if (this.released) return;
    this.released = true;
    this.querying?.abort();
    this.claimsCtrl?.abort();
    if (this.indexing) this.ctx.datasets.releaseJob(this.indexing);
    else this.ctx.datasets.release(this.ds);
  }
}
