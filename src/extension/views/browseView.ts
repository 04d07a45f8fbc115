/**
 * Browse mode (ARCHITECTURE.md › Extension host): a dataset in the "curator.dataset" custom
 * editor, read from disk through the core index. Filters are kept here (the webview holds only
 * their ids); positions in the webview are list positions, and the host speaks dataset record
 * indices (GetRecord, ShowRecord).
 */
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { filterRecords, rowSummary } from '../../core/browseFilter';
import type { Dataset } from '../../core/dataset';
import { listPlans, readPlan } from '../../core/plan';
import { journalPath, readJournal, type VerdictValue } from '../../core/verdicts';
import * as P from '../../protocol';
import type { CuratorContext } from '../context';
import { curationFolder } from '../settings';
import { CuratorViewBase } from './curatorView';

export class BrowseView extends CuratorViewBase {
  readonly mode = 'browse';
  private readonly filters = new Map<number, Int32Array | null>();
  private nextFilterId = 1;
  private pendingIndex: number | undefined;
  private released = false;

  constructor(
    ctx: CuratorContext,
    panel: vscode.WebviewPanel,
    private readonly ds: Dataset,
  ) {
    super(ctx, panel, ds.path, { reason: undefined });
    const ch = this.channel;
    ch.onRequest(P.GetRecord, ({ index }) => this.record(index));
    ch.onRequest(P.Query, ({ filter }) => {
      const verdicts = filter.verdict && filter.verdict !== 'any' ? this.verdicts() : new Map<string, VerdictValue>();
      const matches = filterRecords(ds, filter, (k) => verdicts.get(k));
      const filterId = this.nextFilterId++;
      this.filters.set(filterId, matches);
      if (this.filters.size > 4) this.filters.delete(Math.min(...this.filters.keys()));
      return { total: ds.count, matches: matches ? matches.length : ds.count, filterId };
    });
    ch.onRequest(P.ListPage, ({ filterId, offset, limit }) => {
      const matches = this.filters.get(filterId);
      const n = matches ? matches.length : ds.count;
      const verdicts = this.verdicts();
      const rows: P.ListRow[] = [];
      for (let k = Math.max(0, offset); k < Math.min(n, offset + Math.min(limit, 500)); k++) {
        const r = rowSummary(ds, matches ? matches[k] : k);
        rows.push({ ...r, verdict: verdicts.get(r.key) });
      }
      return { rows, offset };
    });
    this.start();
  }

  protected get self(): BrowseView {
    return this;
  }
  get dataset(): Dataset {
    return this.ds;
  }

  /** Shows a dataset record now, or as the first item once the webview has started. */
  reveal(index: number): void {
    if (this.ready) void this.channel.notify(P.ShowRecord, { index });
    else this.pendingIndex = index;
    this.panel.reveal();
  }

  protected initState(state: P.PersistedState | undefined): P.InitState {
    const ds = this.ds;
    const wanted = this.pendingIndex ?? state?.browseIndex ?? 0;
    this.pendingIndex = undefined;
    return {
      mode: 'browse',
      readOnly: this.readOnly,
      dataset: this.datasetInfo(),
      subsets: this.subsets(),
      start: Math.min(Math.max(0, wanted), Math.max(0, ds.count - 1)),
      warnings: ds.index.errors.slice(0, 3).map((e) => `line ${e.line}: ${e.message}`),
    };
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
    this.ctx.datasets.release(this.ds);
  }
}
