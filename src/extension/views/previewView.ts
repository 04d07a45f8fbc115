/**
 * Preview mode (ARCHITECTURE.md › Extension host): the record under a text editor's cursor, read
 * from the document's text (CursorPreview in ../previewAtCursor.ts follows the cursor and edits).
 * Read-only; positions are dataset record indices of the current text.
 */
import type * as vscode from 'vscode';
import type { Dataset } from '../../core/dataset';
import * as P from '../../protocol';
import type { CuratorContext } from '../context';
import { CuratorViewBase } from './curatorView';

export class PreviewView extends CuratorViewBase {
  readonly mode = 'preview';

  constructor(
    ctx: CuratorContext,
    panel: vscode.WebviewPanel,
    private ds: Dataset,
    private start0: number,
  ) {
    super(ctx, panel, ds.path, { reason: undefined });
    this.channel.onRequest(P.GetRecord, ({ index }) => this.record(index));
    this.start();
  }

  protected get self(): PreviewView {
    return this;
  }
  get dataset(): Dataset {
    return this.ds;
  }

  /** Shows a record of the same text. */
  showRecord(index: number): void {
    void this.channel.notify(P.ShowRecord, { index });
  }

  /** The document changed: read from its new text and show a record of it. */
  replace(ds: Dataset, index: number): void {
    this.ds = ds;
    this.start0 = index;
    void this.channel.notify(P.ShowRecord, { index, textChanged: true });
  }

  protected initState(): P.InitState {
    const ds = this.ds;
    return {
      mode: 'preview',
      readOnly: true,
      dataset: this.datasetInfo(),
      subsets: this.subsets(),
      start: Math.min(Math.max(0, this.start0), Math.max(0, ds.count - 1)),
      warnings: ds.index.errors.slice(0, 3).map((e) => `line ${e.line}: ${e.message}`),
    };
  }
}
