/**
 * The custom editors: "curator.dataset" browses a .json/.jsonl dataset (priority "option": offered,
 * never forced), "curator.spotCheck" reviews a spot check (opened on its plan.json). Both read
 * through the core index from disk, so files VS Code will not hand to extensions (>50 MB) open too.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SpotCheckSession } from '../core/spotCheckSession';
import type { CuratorContext } from './context';
import { BrowseView } from './views/browseView';
import { ReviewView } from './views/reviewView';

export const DATASET_VIEW_TYPE = 'curator.dataset';
export const SPOTCHECK_VIEW_TYPE = 'curator.spotCheck';

class FileDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

/** Runs slow synchronous work (indexing a big file) under a progress notification. */
async function withIndexProgress<T>(title: string, fn: () => T): Promise<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, async () => {
    await new Promise((r) => setTimeout(r, 0));
    return fn();
  });
}

export class DatasetEditorProvider implements vscode.CustomReadonlyEditorProvider<FileDocument> {
  constructor(private readonly ctx: CuratorContext) {}

  openCustomDocument(uri: vscode.Uri): FileDocument {
    return new FileDocument(uri);
  }

  async resolveCustomEditor(doc: FileDocument, panel: vscode.WebviewPanel): Promise<void> {
    const file = doc.uri.fsPath;
    try {
      const ds = await withIndexProgress(`Curator: indexing ${path.basename(file)}`, () => this.ctx.datasets.acquire(file));
      new BrowseView(this.ctx, panel, ds); // lives until the panel closes (it disposes itself)
    } catch (e) {
      showFailure(
        panel,
        `Cannot open ${file} as a dataset: ${(e as Error).message}. Check that it is readable JSON or JSONL in a supported format ` +
          '(README › Formats; `cocurate validate FILE` names the first broken record), or open it as text with "Reopen Editor With… › Text Editor".',
      );
    }
  }
}

export class SpotCheckEditorProvider implements vscode.CustomReadonlyEditorProvider<FileDocument> {
  constructor(private readonly ctx: CuratorContext) {}

  openCustomDocument(uri: vscode.Uri): FileDocument {
    return new FileDocument(uri);
  }

  async resolveCustomEditor(doc: FileDocument, panel: vscode.WebviewPanel): Promise<void> {
    const dir = path.dirname(doc.uri.fsPath);
    try {
      const session = await withIndexProgress(
        `Curator: opening spot check ${path.basename(dir)}`,
        () => new SpotCheckSession(dir, this.ctx.settings.reviewer, this.ctx.datasets),
      );
      panel.title = `Spot check ${session.plan.name}`;
      new ReviewView(this.ctx, panel, session); // lives until the panel closes (it disposes itself)
    } catch (e) {
      showFailure(panel, `Cannot open spot check ${doc.uri.fsPath}: ${(e as Error).message}`);
    }
  }
}

/** A plain-text page naming the failure (no script, no dataset text as HTML). */
function showFailure(panel: vscode.WebviewPanel, message: string): void {
  panel.webview.options = { enableScripts: false };
  const text = message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  panel.webview.html = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body><p>${text}</p></body></html>`;
  void vscode.window.showErrorMessage(message);
}
