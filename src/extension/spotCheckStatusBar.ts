/** Status bar item for the active spot check: "$(checklist) sample-250-seed7 37 / 250". */
import * as vscode from 'vscode';
import type { ReviewView } from './views/reviewView';
import type { ViewRegistry } from './views/viewRegistry';

export class SpotCheckStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('curator.spotCheckStatus', vscode.StatusBarAlignment.Left, 50);
  private readonly sub: vscode.Disposable;
  private lastPanel: ReviewView | undefined;

  constructor(registry: ViewRegistry) {
    this.item.name = 'Curator Spot Check';
    this.item.command = 'curator.focusSpotCheck';
    this.sub = registry.onDidChange((v) => this.update(v?.mode === 'review' ? v : undefined));
  }

  /** The spot check panel shown last (the status bar keeps showing it while another editor is active). */
  get panel(): ReviewView | undefined {
    return this.lastPanel;
  }

  update(p: ReviewView | undefined): void {
    if (p) this.lastPanel = p;
    const cur = this.lastPanel;
    if (!cur) {
      this.item.hide();
      return;
    }
    const s = cur.session;
    const pr = s.progress();
    this.item.text = `$(checklist) ${s.plan.name} ${pr.judged} / ${pr.size}`;
    this.item.tooltip = `Spot check ${s.plan.name} (reviewer ${s.reviewer}): item ${cur.position + 1} of ${pr.size}; ${pr.correct} correct, ${pr.incorrect} incorrect, ${pr.skip} skipped${cur.readOnly ? ' — read-only' : ''}`;
    this.item.show();
  }

  forget(p: ReviewView): void {
    if (this.lastPanel === p) {
      this.lastPanel = undefined;
      this.item.hide();
    }
  }

  dispose(): void {
    this.sub.dispose();
    this.item.dispose();
  }
}
