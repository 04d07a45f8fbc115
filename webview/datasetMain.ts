/**
 * The curator webview (ARCHITECTURE.md › Webview): browse a dataset, review a spot check, or
 * preview the item at a text editor's cursor. Boots one mode controller over the shared item pane;
 * talks to the host only through src/protocol.ts; keys arrive from contributed keybindings as
 * KeyPressed notifications (no global key listeners for actions).
 */
import * as P from '../src/protocol';
import { BrowseController } from './browseController';
import { WebviewChannel, type VsCodeApi } from './channel';
import { h } from './elements';
import { ItemPane, type Timings } from './itemPane';
import { PreviewController } from './previewController';
import { ReviewController } from './reviewController';

declare global {
  interface Window {
    /** Tests inject a fake VS Code API before the bundle runs. */
    __curatorApi?: VsCodeApi<P.PersistedState>;
    /** Round-trip times in ms (item request → rendered; mark → host confirmed on disk), for the bench. */
    __curatorTimings?: Timings;
  }
}

class CuratorApp {
  private readonly ch = new WebviewChannel<P.PersistedState>(window.__curatorApi);
  private readonly app = document.getElementById('app')!;
  private pane: ItemPane | undefined;

  async start(): Promise<void> {
    this.ch.on(P.Refresh, () => {
      void this.load();
    });
    this.watchFocus();
    await this.load();
  }

  /** Asks the host for the view's state and starts the mode's controller (again after Refresh: another reviewer, the file changed). */
  private async load(): Promise<void> {
    this.app.dataset.state = 'loading';
    this.pane?.dispose();
    this.pane = undefined;
    const saved = this.ch.state;
    const init = await this.ch.request(P.Ready, { state: saved });
    const pane = new ItemPane(this.ch, init, this.app);
    this.pane = pane;
    if (init.mode === 'browse') {
      const c = new BrowseController(pane, saved);
      pane.controller = c;
      await c.start(saved?.browseIndex ?? init.start, saved?.scrollTop);
    } else {
      pane.controller = init.mode === 'review' ? new ReviewController(pane) : new PreviewController(pane);
      await pane.show(init.start);
    }
    this.app.dataset.state = 'ready';
    pane.reportFocus();
  }

  private watchFocus(): void {
    const later = () => setTimeout(() => this.pane?.reportFocus(), 0);
    window.addEventListener('focus', later);
    window.addEventListener('blur', later);
    document.addEventListener('focusin', later);
    document.addEventListener('focusout', later);
    document.addEventListener('mousedown', later);
  }
}

const app = new CuratorApp();
app.start().catch((e: unknown) => {
  const root = document.getElementById('app')!;
  root.dataset.state = 'error';
  root.replaceChildren(h('div', { class: 'problem', role: 'alert' }, `The curator view failed to start: ${e instanceof Error ? e.message : String(e)}`));
});
