/**
 * Preview mode (ARCHITECTURE.md › Webview): the record under a text editor's cursor. Positions are
 * dataset record indices of the document's current text; the host sends ShowRecord as the cursor
 * moves, with `textChanged` after an edit (what was fetched before is dropped).
 */
import * as P from '../src/protocol';
import { setText } from './elements';
import { formatBytes, type ItemPane, type ModeController } from './itemPane';

export class PreviewController implements ModeController {
  readonly prefetch = false;
  private readonly subs: (() => void)[];

  constructor(private readonly pane: ItemPane) {
    this.subs = [
      pane.ch.on(P.ShowRecord, ({ index, textChanged }) => {
        if (textChanged) pane.dropFetched();
        void pane.show(index);
      }),
    ];
    const { dataset } = pane.init;
    pane.layout({ subtitle: `${dataset.format} · ${dataset.count.toLocaleString('en')} records · ${formatBytes(dataset.bytes)}`, jump: false });
  }

  get length(): number {
    return this.pane.init.dataset.count;
  }

  itemAt(pos: number): Promise<P.ItemResult> {
    return this.pane.fetch(`r${pos}`, () => this.pane.ch.request(P.GetRecord, { index: pos }));
  }

  meta(): [string, string][] {
    return [];
  }
  moving(): void {}
  shown(): void {}

  renderProgress(): void {
    setText(this.pane.progressEl, `record ${this.pane.position + 1} of ${this.length.toLocaleString('en')}`);
  }

  onKey(): boolean {
    return false;
  }
  goToRecord(index: number): Promise<void> {
    return this.pane.show(index);
  }
  persisted(): Omit<P.PersistedState, 'position'> {
    return {};
  }
  dispose(): void {
    for (const s of this.subs) s();
  }
}
