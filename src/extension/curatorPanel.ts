/**
 * Binds one curator webview to what it shows: a dataset to browse, a spot check to review, or the
 * item under a text editor's cursor. Answers the webview's requests (src/protocol.ts) through core.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { filterRecords, rowSummary, subsetNames } from '../core/browseFilter';
import type { Dataset } from '../core/dataset';
import { listPlans, readPlan } from '../core/plan';
import { journalPath, readJournal, type VerdictLine, type VerdictValue } from '../core/verdicts';
import * as P from '../protocol';
import { HostChannel } from './hostChannel';
import { loadItem } from './itemView';
import type { PanelRegistry, RegisteredPanel } from './panelRegistry';
import { curationFolder, imageRootFor, reviewerName } from './settings';
import type { SpotCheckSession } from './spotCheckSession';
import { curatorHtml } from './webviewHtml';

export type PanelSource =
  | { kind: 'browse'; ds: Dataset; release: () => void }
  | { kind: 'review'; session: SpotCheckSession }
  | { kind: 'preview'; ds: Dataset; start: number };

export interface PanelServices {
  extensionUri: vscode.Uri;
  registry: PanelRegistry;
  /** Called after a verdict was written, so tree views and the status bar refresh. */
  verdictsChanged: (planDir: string) => void;
  log: (msg: string) => void;
}

const toSaved = (l: VerdictLine): P.SavedVerdict => ({ verdict: l.verdict as P.Verdict, note: l.note, at: l.at });

export class CuratorPanel implements RegisteredPanel, vscode.Disposable {
  readonly channel: HostChannel;
  readonly mode: P.Mode;
  readonly readOnly: boolean;
  readonly readOnlyReason?: string;
  focus: P.FocusArea = 'none';
  position = 0;
  /** The webview has asked for its initial state (its script runs). */
  ready = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly filters = new Map<number, Int32Array | null>();
  private nextFilterId = 1;
  private source: PanelSource;

  constructor(private readonly services: PanelServices, readonly panel: vscode.WebviewPanel, source: PanelSource) {
    this.source = source;
    this.mode = source.kind;
    const trusted = vscode.workspace.isTrusted;
    this.readOnly = source.kind !== 'review' || !trusted;
    if (source.kind === 'review' && !trusted) this.readOnlyReason = 'This workspace is not trusted: the curator browses read-only (trust the workspace to mark items).';
    const ds = this.dataset;
    panel.webview.options = {
      enableScripts: true,
      localResourceRoots: [imageRootUri(ds.path), vscode.Uri.joinPath(services.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(services.extensionUri, 'media')],
    };
    this.channel = new HostChannel(panel.webview, (method, e) => services.log(`${method}: ${e instanceof Error ? e.stack ?? e.message : String(e)}`));
    this.registerHandlers();
    panel.webview.html = curatorHtml(panel.webview, services.extensionUri, panel.title);
    this.disposables.push(services.registry.add(this));
    // The reviewer decides which journal is written. In code-server the user settings can arrive
    // after a restored editor opened, so follow the setting and start over when it changes.
    const followReviewer = (): void => {
      const s = this.session;
      if (!s || reviewerName() === s.reviewer) return;
      s.switchReviewer(reviewerName());
      this.services.verdictsChanged(s.plan.dir);
      this.services.registry.touch(this);
      void this.channel.notify(P.Refresh, { reason: `reviewer is now ${s.reviewer}` });
    };
    this.disposables.push(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('curator.reviewer')) followReviewer();
    }));
    // The change event may also have fired between the session's creation and this listener:
    // look again now and shortly after the window settles.
    followReviewer();
    for (const ms of [1000, 3000, 8000]) {
      const t = setTimeout(followReviewer, ms);
      this.disposables.push({ dispose: () => clearTimeout(t) });
    }
  }

  get dataset(): Dataset {
    return this.source.kind === 'review' ? this.source.session.ds : this.source.ds;
  }

  get session(): SpotCheckSession | undefined {
    return this.source.kind === 'review' ? this.source.session : undefined;
  }

  /** Preview: replace the in-memory dataset (the document changed) and show an index. */
  replacePreview(ds: Dataset, index: number): void {
    if (this.source.kind !== 'preview') return;
    this.source = { kind: 'preview', ds, start: index };
    this.filters.clear();
    void this.channel.notify(P.ShowIndex, { index });
  }

  showIndex(index: number): void { void this.channel.notify(P.ShowIndex, { index }); }

  private pendingStart: number | undefined;

  /** Shows a dataset index now, or as the first item once the webview has started. */
  reveal(index: number): void {
    if (this.ready) this.showIndex(index);
    else this.pendingStart = index;
    this.panel.reveal();
  }

  key(action: P.KeyAction): void { void this.channel.notify(P.KeyPressed, { action }); }

  private imageRoot(): string { return imageRootFor(this.dataset.path); }

  private registerHandlers(): void {
    const ch = this.channel;
    ch.onRequest(P.Ready, ({ state }) => this.init(state));
    ch.onRequest(P.GetItem, ({ index }) => this.getItem(index));
    ch.onRequest(P.Mark, ({ key, verdict, note }) => {
      const t0 = performance.now();
      const s = this.writableSession();
      const line = s.mark(key, verdict, note);
      const progress = s.progress();
      const hostMs = performance.now() - t0;
      // Views that show counts refresh after the answer is on its way.
      setImmediate(() => {
        this.services.verdictsChanged(s.plan.dir);
        this.services.registry.touch(this);
      });
      return { key, saved: toSaved(line), progress, hostMs };
    });
    ch.onRequest(P.Undo, ({ key }) => {
      const s = this.writableSession();
      const cur = s.undo(key);
      this.services.verdictsChanged(s.plan.dir);
      this.services.registry.touch(this);
      return { key, current: cur ? toSaved(cur) : undefined, progress: s.progress() };
    });
    ch.onRequest(P.Query, ({ filter }) => {
      const verdicts = filter.verdict && filter.verdict !== 'any' ? this.browseVerdicts() : new Map<string, VerdictValue>();
      const matches = filterRecords(this.dataset, filter, (k) => verdicts.get(k));
      const filterId = this.nextFilterId++;
      this.filters.set(filterId, matches);
      if (this.filters.size > 4) this.filters.delete(Math.min(...this.filters.keys()));
      return { total: this.dataset.count, matches: matches ? matches.length : this.dataset.count, filterId };
    });
    ch.onRequest(P.ListPage, ({ filterId, offset, limit }) => {
      const matches = this.filters.get(filterId);
      const n = matches ? matches.length : this.dataset.count;
      const verdicts = this.browseVerdicts();
      const rows: P.ListRow[] = [];
      for (let k = Math.max(0, offset); k < Math.min(n, offset + Math.min(limit, 500)); k++) {
        const r = rowSummary(this.dataset, matches ? matches[k] : k);
        rows.push({ ...r, verdict: verdicts.get(r.key) });
      }
      return { rows, offset };
    });
    ch.onRequest(P.Find, ({ query }) => {
      const q = query.trim();
      if (!q) return { message: 'type an index (12 or #12) or an id' };
      if (/^#?\d+$/.test(q)) {
        const i = Number(q.replace('#', ''));
        return i < this.dataset.count ? { index: i } : { message: `no record ${i}; the file has ${this.dataset.count}` };
      }
      const i = this.dataset.findKey(q);
      return i === undefined ? { message: `no record with id "${q}"` } : { index: i };
    });
    ch.onCommand(P.FocusChanged, ({ area }) => this.services.registry.setFocus(this, area));
    ch.onCommand(P.PositionChanged, ({ position }) => {
      this.position = position;
      this.services.registry.touch(this);
    });
    ch.onCommand(P.ShowMessage, ({ level, text }) => {
      const show = level === 'error' ? vscode.window.showErrorMessage : level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
      void show(text);
    });
  }

  private writableSession(): SpotCheckSession {
    const s = this.session;
    if (!s) throw new Error('this view is not a spot check');
    if (this.readOnly) throw new Error(this.readOnlyReason ?? 'read-only');
    return s;
  }

  private datasetInfo(): P.DatasetInfo {
    const ds = this.dataset;
    return { name: path.basename(ds.path), path: ds.path, count: ds.count, format: ds.format, bytes: ds.bytes };
  }

  private init(state?: P.PersistedState): P.InitState {
    this.ready = true;
    const ds = this.dataset;
    let subsets: string[] = [];
    try { subsets = subsetNames(ds); } catch { subsets = []; }
    const base = { readOnly: this.readOnly, readOnlyReason: this.readOnlyReason, dataset: this.datasetInfo(), subsets };
    if (this.source.kind === 'review') {
      const s = this.source.session;
      const verdicts: Record<string, P.SavedVerdict> = {};
      for (const [k, l] of s.latest) verdicts[k] = toSaved(l);
      // Reopening (or reloading the window) resumes at the first unjudged item; the webview's saved
      // state is not used here because VS Code may restore an older copy of it after a reload.
      const start = s.resumePosition();
      this.position = start;
      this.services.registry.touch(this);
      return {
        ...base,
        mode: 'review',
        plan: {
          name: s.plan.name, size: s.plan.items.length, seed: s.plan.seed, strata: s.plan.strata, reviewer: s.reviewer,
          items: s.plan.items.map((i) => ({ key: i.key, index: i.index, stratum: i.stratum })),
        },
        verdicts,
        progress: s.progress(),
        start,
        warnings: [...s.warnings],
      };
    }
    const wanted = this.source.kind === 'preview' ? this.source.start : this.pendingStart ?? state?.browseIndex ?? 0;
    const start = Math.min(Math.max(0, wanted), Math.max(0, ds.count - 1));
    const warnings = ds.index.errors.slice(0, 3).map((e) => `line ${e.line}: ${e.message}`);
    return { ...base, mode: this.source.kind, start, warnings };
  }

  private getItem(index: number): ReturnType<typeof loadItem> & { changed?: string } {
    if (this.source.kind === 'review') {
      const s = this.source.session;
      const i = s.datasetIndex(index);
      const r = loadItem(s.ds, i, this.imageRoot(), this.panel.webview);
      const planned = s.plan.items[index];
      if (r.item && planned && r.item.hash !== planned.hash) {
        return { ...r, changed: `This record changed since the spot check was drawn (hash ${planned.hash} → ${r.item.hash}).` };
      }
      return r;
    }
    return loadItem(this.dataset, index, this.imageRoot(), this.panel.webview);
  }

  /** This reviewer's current verdicts from every spot check of this dataset (for browse filters). */
  private browseVerdicts(): Map<string, VerdictValue> {
    const out = new Map<string, VerdictValue>();
    const s = this.session;
    if (s) {
      for (const [k, l] of s.latest) out.set(k, l.verdict as VerdictValue);
      return out;
    }
    const folder = curationFolder(this.dataset.path);
    const reviewer = reviewerName();
    for (const name of listPlans(folder)) {
      try {
        const plan = readPlan(path.join(folder, 'spotchecks', name));
        if (path.resolve(plan.datasetAbs) !== path.resolve(this.dataset.path)) continue;
        for (const [k, l] of readJournal(journalPath(plan.dir, reviewer)).latest) out.set(k, l.verdict as VerdictValue);
      } catch { /* an unreadable plan does not stop browsing */ }
    }
    return out;
  }

  onDidDispose(fn: () => void): void { this.disposables.push(this.panel.onDidDispose(fn)); }

  dispose(): void {
    this.channel.dispose();
    for (const d of this.disposables) d.dispose();
    if (this.source.kind === 'review') this.source.session.dispose();
    else if (this.source.kind === 'browse') this.source.release();
  }
}

function imageRootUri(datasetPath: string): vscode.Uri {
  return vscode.Uri.file(imageRootFor(datasetPath));
}
