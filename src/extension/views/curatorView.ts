/**
 * What every curator view shares (ARCHITECTURE.md › Extension host): one webview panel, its typed
 * channel (src/protocol.ts) and every handler on it, registration with the view registry, the
 * go-to box, focus and position reports, and model answers for the item on screen. The mode
 * controllers — ReviewView, BrowseView, PreviewView — add what their mode means. A view owns all
 * of its IPC: no other module adds handlers to its channel.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { subsetNames } from '../../core/browseFilter';
import type { Dataset } from '../../core/dataset';
import * as P from '../../protocol';
import type { CuratorContext } from '../context';
import { HostChannel } from '../hostChannel';
import { loadItem } from '../itemView';
import { imageRootFor } from '../settings';
import { curatorHtml } from '../webviewHtml';
import type { CuratorPage } from './curatorPage';
import type { BrowseView } from './browseView';
import type { PreviewView } from './previewView';
import type { ReviewView } from './reviewView';

/** Any curator view; `mode` tells them apart. */
export type CuratorView = ReviewView | BrowseView | PreviewView;

export abstract class CuratorViewBase implements vscode.Disposable {
  abstract readonly mode: P.Mode;
  readonly channel: HostChannel;
  readonly readOnly: boolean;
  readonly readOnlyReason?: string;
  focus: P.FocusArea = 'none';
  /** Position reported by the webview (plan position in review, list position in browse, record in preview). */
  position = 0;
  /** The webview has asked for its initial state (its script runs). */
  ready = false;
  protected readonly disposables: vscode.Disposable[] = [];
  private shownItem: { key: string; index: number } | undefined;
  private asking: AbortController | undefined;

  protected constructor(
    protected readonly ctx: CuratorContext,
    readonly panel: vscode.WebviewPanel,
    datasetPath: string,
    readOnly: { reason?: string } | false,
    /** The page, loaded already while the dataset opened (curatorPage.ts); else start() loads it. */
    private readonly page?: CuratorPage,
  ) {
    this.readOnly = readOnly !== false;
    this.readOnlyReason = readOnly === false ? undefined : readOnly.reason;
    if (page) this.channel = page.channel;
    else {
      panel.webview.options = curatorWebviewOptions(ctx, datasetPath);
      this.channel = new HostChannel(panel.webview, channelErrors(ctx));
    }
    const ch = this.channel;
    ch.onRequest(P.Ready, ({ state }) => {
      this.ready = true;
      return this.initState(state);
    });
    ch.onRequest(P.Find, ({ query }) => this.find(query));
    ch.onRequest(P.GetTiles, ({ id, tiles }) => ctx.tiles.tiles(id, tiles, panel.webview));
    ch.onCommand(P.WarmTiles, ({ ids, cut }) => ctx.tiles.warm(ids, cut));
    ch.onCommand(P.FocusChanged, ({ area }) => ctx.views.setFocus(this.self, area));
    ch.onCommand(P.PositionChanged, ({ position }) => {
      this.position = position;
      ctx.views.touch(this.self);
    });
    ch.onCommand(P.ShowMessage, ({ level, text }) => {
      const show =
        level === 'error' ? vscode.window.showErrorMessage : level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
      void show(text);
    });
    ch.onCommand(P.AskModel, ({ key, index }) => this.askModel(key, index).catch((e) => ctx.log.error((e as Error).message)));
    ch.onCommand(P.ModelAnswersWanted, async ({ key, index }) => {
      this.shownItem = { key, index };
      await this.sendCachedAnswers();
    });
    this.disposables.push(
      ctx.answers.onDidAnswer((file) => {
        if (path.resolve(file) === path.resolve(this.dataset.path)) void this.sendCachedAnswers();
      }),
    );
  }

  /** Call last in the subclass constructor: loads the page (or answers the page loaded already) and registers the view. */
  protected start(): void {
    if (this.page) this.page.channel.release();
    else this.panel.webview.html = curatorHtml(this.panel.webview, this.ctx.extensionUri, this.panel.title);
    this.disposables.push(this.ctx.views.add(this.self));
    this.panel.onDidDispose(() => this.dispose());
  }

  /** This view as the union the registry holds (every subclass is one of its members). */
  protected abstract get self(): CuratorView;
  abstract get dataset(): Dataset;
  protected abstract initState(state: P.PersistedState | undefined): P.InitState;

  /** The item on screen, as the webview last reported it. */
  get shown(): { key: string; index: number } | undefined {
    return this.shownItem;
  }

  /** A contributed keybinding's action; `key` names the reason key (action `reason`). */
  key(action: P.KeyAction, key?: string): void {
    void this.channel.notify(P.KeyPressed, key === undefined ? { action } : { action, key });
  }

  protected imageRoot(): string {
    return imageRootFor(this.dataset.path);
  }

  protected record(index: number): Promise<P.ItemResult> {
    return loadItem(this.dataset, index, this.imageRoot(), this.panel.webview, this.ctx.previews, this.ctx.tiles);
  }

  /** Distinct subset names for the browse filter (none when they cannot be read; the filter still works on text). */
  protected subsets(): string[] {
    try {
      return subsetNames(this.dataset);
    } catch (e) {
      this.ctx.log.warn(`subset names of ${this.dataset.path}: ${(e as Error).message}`);
      return [];
    }
  }

  protected datasetInfo(): P.DatasetInfo {
    const ds = this.dataset;
    return { name: path.basename(ds.path), path: ds.path, count: ds.count, format: ds.format, bytes: ds.bytes };
  }

  private find(query: string): P.ResultOf<typeof P.Find> {
    const q = query.trim();
    const ds = this.dataset;
    if (!q) return { message: 'type an index (12 or #12) or an id' };
    if (/^#?\d+$/.test(q)) {
      const i = Number(q.replace('#', ''));
      return i < ds.count ? { index: i } : { message: `no record ${i}; the file has ${ds.count}` };
    }
    const i = ds.findKey(q);
    return i === undefined ? { message: `no record with id "${q}"` } : { index: i };
  }

  /** Asks every endpoint profile about an item, streaming into this view ("Ask model", Curator: Ask Model). */
  async askModel(key: string, index: number): Promise<void> {
    this.asking?.abort();
    const ctrl = new AbortController();
    this.asking = ctrl;
    await this.ctx.answers.ask(
      this.dataset,
      key,
      index,
      (v) => {
        void this.channel.notify(P.ModelAnswer, v);
      },
      ctrl.signal,
    );
  }

  /** Sends the cached answers for the item on screen (nothing is asked). */
  protected async sendCachedAnswers(): Promise<void> {
    const cur = this.shownItem;
    if (!cur) return;
    for (const v of await this.ctx.answers.cached(this.dataset, cur.key, cur.index)) void this.channel.notify(P.ModelAnswer, v);
  }

  dispose(): void {
    this.asking?.abort();
    this.channel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** What a curator webview may run and load: its script and styles, the dataset's images and the previews. */
export function curatorWebviewOptions(ctx: CuratorContext, datasetPath: string): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [
      vscode.Uri.file(imageRootFor(datasetPath)),
      vscode.Uri.file(ctx.previews.dir),
      vscode.Uri.joinPath(ctx.extensionUri, 'dist', 'webview'),
      vscode.Uri.joinPath(ctx.extensionUri, 'media'),
    ],
  };
}

/** Logs a failed webview request or command with its method. */
export function channelErrors(ctx: CuratorContext): (method: string, e: unknown) => void {
  return (method, e) => ctx.log.error(`${method}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
}
