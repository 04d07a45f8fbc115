/**
 * The extension's one context (ARCHITECTURE.md › Extension host), after rust-analyzer's `Ctx`:
 * created at activation, owns everything that lives as long as the extension — the log channel,
 * the settings, the open-dataset cache, the registry of curator views, the model-answers service,
 * the Spot Checks tree, status bar and cursor preview — and the pickers several commands share.
 * Feature modules and command factories receive it; none of them keeps a global.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PreviewCache } from '../core/imagePreview';
import { ImageTileServer } from './imageTileServer';
import { ModelAnswers } from './ask/modelAnswers';
import { DatasetCache } from './datasetCache';
import { CursorPreview } from './previewAtCursor';
import { Settings } from './settings';
import { SpotCheckStatusBar } from './spotCheckStatusBar';
import { SpotCheckTree } from './spotCheckTree';
import { ViewRegistry } from './views/viewRegistry';

export class CuratorContext implements vscode.Disposable {
  /** The one log channel ("Curator" in the Output panel). */
  readonly log: vscode.LogOutputChannel;
  readonly settings: Settings;
  readonly datasets = new DatasetCache();
  readonly views: ViewRegistry;
  readonly answers: ModelAnswers;
  readonly spotChecks: SpotCheckTree;
  readonly statusBar: SpotCheckStatusBar;
  readonly preview: CursorPreview;
  /** Downscaled upright previews and upright full-size copies of images, in the extension's global storage. */
  readonly previews: PreviewCache;
  /** Full-resolution tiles for 1:1 and closer, cut into the previews folder. */
  readonly tiles: ImageTileServer;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Curator', { log: true });
    this.settings = new Settings();
    this.views = new ViewRegistry();
    this.answers = new ModelAnswers(extension.secrets, this.log);
    this.spotChecks = new SpotCheckTree();
    this.statusBar = new SpotCheckStatusBar(this.views);
    this.preview = new CursorPreview(this);
    this.previews = new PreviewCache(path.join(extension.globalStorageUri.fsPath, 'previews'));
    this.tiles = new ImageTileServer(this.previews);
    extension.subscriptions.push(this);
  }

  get extensionUri(): vscode.Uri {
    return this.extension.extensionUri;
  }

  /** Verdicts of a spot check changed (a mark, an undo, another reviewer): views that count them refresh. */
  verdictsChanged(): void {
    this.spotChecks.refreshSoon();
  }

  /** The dataset a command is about: its argument (Uri or path), the active curator view, the active text editor, or a file picker. */
  async pickDataset(arg: unknown, title: string): Promise<string | undefined> {
    if (arg instanceof vscode.Uri) return arg.fsPath;
    if (typeof arg === 'string') return arg;
    const active = this.views.active;
    if (active) return active.dataset.path;
    const doc = vscode.window.activeTextEditor?.document;
    if (doc && doc.uri.scheme === 'file' && /\.jsonl?$/i.test(doc.uri.fsPath)) return doc.uri.fsPath;
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Datasets: ['json', 'jsonl', 'parquet'] }, title });
    return picked?.[0]?.fsPath;
  }

  /** The spot check a command is about: its argument, the active review, or a quick pick of the workspace's plans. */
  async pickPlanDir(arg: unknown, title: string): Promise<string | undefined> {
    const given = planDirsFromArg(arg);
    if (given.length) return given[0];
    const review = this.views.activeReview;
    if (review) return review.session.plan.dir;
    const found = await vscode.workspace.findFiles('**/spotchecks/*/plan.json', '**/node_modules/**', 200);
    const pick = await vscode.window.showQuickPick(
      found.map((f) => ({ label: path.basename(path.dirname(f.fsPath)), description: vscode.workspace.asRelativePath(f), dir: path.dirname(f.fsPath) })),
      { title },
    );
    return pick?.dir;
  }

  dispose(): void {
    this.tiles.dispose();
    this.preview.dispose();
    this.statusBar.dispose();
    this.spotChecks.dispose();
    this.answers.dispose();
    this.views.dispose();
    this.settings.dispose();
    this.datasets.dispose();
    this.log.dispose();
  }
}

/** Plan folder(s) from a command argument: a tree node ({dir}), a plan.json or folder Uri, a path, a list. */
export function planDirsFromArg(arg: unknown): string[] {
  if (Array.isArray(arg)) return arg.flatMap(planDirsFromArg);
  if (arg instanceof vscode.Uri) return [path.basename(arg.fsPath) === 'plan.json' ? path.dirname(arg.fsPath) : arg.fsPath];
  if (typeof arg === 'string') return [path.basename(arg) === 'plan.json' ? path.dirname(arg) : arg];
  if (arg && typeof arg === 'object' && typeof (arg as { dir?: unknown }).dir === 'string') return [(arg as { dir: string }).dir];
  return [];
}
