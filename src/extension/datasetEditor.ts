/**
 * The custom editors: "curator.dataset" browses a .json/.jsonl dataset (priority "option": offered,
 * never forced), "curator.spotCheck" reviews a spot check (opened on its plan.json). Both read
 * through the core index from disk, so files VS Code will not hand to extensions (>50 MB) open too;
 * the dataset editor indexes a large file in a worker thread and shows its first records meanwhile.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Dataset } from '../core/dataset';
import { IndexCancelled } from '../core/indexWorkerClient';
import { readPlan } from '../core/plan';
import type { CuratorContext } from './context';
import type { OpenJob } from './datasetCache';
import { openSpotCheckSession } from './datasetOpening';
import { BrowseView } from './views/browseView';
import { CuratorPage } from './views/curatorPage';
import { ReviewView } from './views/reviewView';

export const DATASET_VIEW_TYPE = 'curator.dataset';
export const SPOTCHECK_VIEW_TYPE = 'curator.spotCheck';

class FileDocument implements vscode.CustomDocument {
  constructor(readonly uri: vscode.Uri) {}
  dispose(): void {}
}

/** After the first records arrive, how long to wait for the whole index before showing them alone (a reload is avoided). */
const HEAD_GRACE_MS = 100;

export class DatasetEditorProvider implements vscode.CustomReadonlyEditorProvider<FileDocument> {
  constructor(private readonly ctx: CuratorContext) {}

  openCustomDocument(uri: vscode.Uri): FileDocument {
    return new FileDocument(uri);
  }

  /**
   * Opens the dataset without blocking the host (ARCHITECTURE.md › Opening a large dataset): a large
   * file is indexed in a worker thread; its first records show at once, with progress and Cancel,
   * and the view reloads with the whole dataset when the index arrives.
   */
  async resolveCustomEditor(doc: FileDocument, panel: vscode.WebviewPanel): Promise<void> {
    const file = doc.uri.fsPath;
    let job: OpenJob | undefined;
    let closed = false;
    const sub = panel.onDidDispose(() => (closed = true));
    // The page starts loading now: the webview boots while the worker reads the file.
    const page = CuratorPage.load(this.ctx, panel, file);
    try {
      job = this.ctx.datasets.acquireInBackground(file);
      const started = job;
      const grace = (head: Dataset | undefined): Promise<Dataset> =>
        head ? Promise.race([started.done, new Promise<Dataset>((r) => setTimeout(() => r(head), HEAD_GRACE_MS))]) : started.done;
      let whole: Dataset | undefined;
      job.done.then(
        (ds) => (whole = ds),
        () => undefined,
      );
      const first = await Promise.race([job.done, job.head.then(grace)]);
      if (closed) {
        page.dispose();
        if (first === whole) this.ctx.datasets.release(first);
        else this.ctx.datasets.releaseJob(job);
        return;
      }
      const view = new BrowseView(this.ctx, panel, first, job, page); // lives until the panel closes (it disposes itself)
      if (first !== whole) this.indexInView(view, first, job, panel);
    } catch (e) {
      page.dispose();
      if (job) this.ctx.datasets.releaseJob(job);
      if (!closed) showFailure(panel, cannotOpen(file, e as Error));
    } finally {
      sub.dispose();
    }
  }

  /** The head is on screen: progress (records so far, share of the file) with Cancel until the whole dataset replaces it. */
  private indexInView(view: BrowseView, head: Dataset, job: OpenJob, panel: vscode.WebviewPanel): void {
    const name = path.basename(job.file);
    const title = panel.title;
    const indexed = view.whileIndexing(head);
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Curator: indexing ${name}`, cancellable: true },
      async (progress, token) => {
        let shown = 0;
        const stop = job.worker?.onProgress((p) => {
          const pct = Math.floor((100 * p.bytes) / Math.max(1, p.size));
          const records = `${p.records.toLocaleString('en')} records`;
          progress.report({ increment: pct - shown, message: `${records}…` });
          shown = pct;
          panel.title = `${name} (indexing ${records}…)`;
        });
        const cancelled = `Indexing ${name} was cancelled. Reopen the file to index it again.`;
        let stopped = false;
        token.onCancellationRequested(() => {
          stopped = true;
          view.dispose(); // the last view of the file stops its worker
          showFailure(panel, cancelled, false);
        });
        try {
          await indexed;
        } catch (e) {
          view.dispose();
          if (!stopped) showFailure(panel, e instanceof IndexCancelled ? cancelled : cannotOpen(job.file, e as Error), !(e instanceof IndexCancelled));
        } finally {
          stop?.();
          panel.title = title;
        }
      },
    );
  }
}

function cannotOpen(file: string, e: Error): string {
  return (
    `Cannot open ${file} as a dataset: ${e.message}. Check that it is readable JSON or JSONL in a supported format ` +
    '(README › Formats; `cocurate validate FILE` names the first broken record), or open it as text with "Reopen Editor With… › Text Editor".'
  );
}

export class SpotCheckEditorProvider implements vscode.CustomReadonlyEditorProvider<FileDocument> {
  constructor(private readonly ctx: CuratorContext) {}

  openCustomDocument(uri: vscode.Uri): FileDocument {
    return new FileDocument(uri);
  }

  async resolveCustomEditor(doc: FileDocument, panel: vscode.WebviewPanel): Promise<void> {
    const dir = path.dirname(doc.uri.fsPath);
    let page: CuratorPage | undefined;
    try {
      // The page starts loading as soon as the plan names the dataset: the webview boots while it opens.
      const dataset = readPlan(dir).datasetAbs;
      page = CuratorPage.load(this.ctx, panel, dataset);
      const session = await openSpotCheckSession(this.ctx.datasets, dir, this.ctx.settings.reviewer);
      if (!session) {
        page?.dispose();
        return showFailure(panel, `Opening spot check ${doc.uri.fsPath} was cancelled. Reopen it to try again.`, false);
      }
      panel.title = `Spot check ${session.plan.name}`;
      // A page loaded for another images folder than the session's dataset is reloaded by the view.
      const early = path.resolve(session.ds.path) === dataset ? page : (page.dispose(), undefined);
      new ReviewView(this.ctx, panel, session, early); // lives until the panel closes (it disposes itself)
    } catch (e) {
      page?.dispose();
      showFailure(panel, `Cannot open spot check ${doc.uri.fsPath}: ${(e as Error).message}`);
    }
  }
}

/** A plain-text page naming the failure (no script, no dataset text as HTML); `error` also says it in a notification. */
function showFailure(panel: vscode.WebviewPanel, message: string, error = true): void {
  panel.webview.options = { enableScripts: false };
  const text = message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  panel.webview.html = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'"></head><body><p>${text}</p></body></html>`;
  if (error) void vscode.window.showErrorMessage(message);
}
