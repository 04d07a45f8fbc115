/**
 * "Curator: Preview Item at Cursor": shows the record under a text editor's cursor in a curator
 * webview beside the editor and follows the cursor (and the document's edits) from then on.
 */
import * as vscode from 'vscode';
import { Dataset } from '../core/dataset';
import type { CuratorContext } from './context';
import { PreviewView } from './views/previewView';

/** The record whose byte range holds `byteOffset` (or the nearest one before it). */
export function recordAtByte(ds: Dataset, byteOffset: number): number | undefined {
  if (ds.count === 0) return undefined;
  let lo = 0,
    hi = ds.count - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ds.index.start(mid) <= byteOffset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export class CursorPreview implements vscode.Disposable {
  private panel: PreviewView | undefined;
  private doc: vscode.TextDocument | undefined;
  private ds: Dataset | undefined;
  private version = -1;
  private last = -1;
  private readonly subs: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: CuratorContext) {
    this.subs.push(
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (this.panel && e.textEditor.document === this.doc) this.follow(e.textEditor);
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.panel && e.document === this.doc) this.ds = undefined;
      }),
    );
  }

  /** The record shown, or undefined when no preview is open. */
  get shownIndex(): number | undefined {
    return this.panel ? this.last : undefined;
  }

  /** Opens (or re-targets) the preview for an editor; `at` overrides the cursor's record. */
  open(editor: vscode.TextEditor, at?: number): void {
    this.doc = editor.document;
    this.ds = undefined;
    const ds = this.dataset();
    const index = at ?? this.indexAt(editor) ?? 0;
    this.last = index;
    if (this.panel) {
      this.panel.replace(ds, index);
      this.panel.panel.reveal(vscode.ViewColumn.Beside, true);
      return;
    }
    const webviewPanel = vscode.window.createWebviewPanel(
      'curator.preview',
      'Curator Preview',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, retainContextWhenHidden: true },
    );
    this.panel = new PreviewView(this.ctx, webviewPanel, ds, index);
    webviewPanel.onDidDispose(() => {
      this.panel = undefined;
      this.doc = undefined;
      this.ds = undefined;
    });
  }

  private dataset(): Dataset {
    const doc = this.doc!;
    if (!this.ds || this.version !== doc.version) {
      this.ds = Dataset.fromText(doc.getText(), doc.uri.fsPath);
      this.version = doc.version;
    }
    return this.ds;
  }

  private indexAt(editor: vscode.TextEditor): number | undefined {
    const doc = editor.document;
    const offset = doc.offsetAt(editor.selection.active);
    const byte = Buffer.byteLength(doc.getText(new vscode.Range(new vscode.Position(0, 0), doc.positionAt(offset))), 'utf8');
    return recordAtByte(this.dataset(), byte);
  }

  private follow(editor: vscode.TextEditor): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (!this.panel) return;
      const changed = this.version !== editor.document.version;
      const i = this.indexAt(editor);
      if (i === undefined) return;
      if (changed) this.panel.replace(this.dataset(), i);
      else if (i !== this.last) this.panel.showRecord(i);
      this.last = i;
    }, 60);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const s of this.subs) s.dispose();
    this.panel?.panel.dispose();
  }
}
