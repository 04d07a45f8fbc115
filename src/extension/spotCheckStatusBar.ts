/** Status bar item for the active spot check: "$(checklist) sample-250-seed7 37 / 250". */
import * as vscode from 'vscode';
import type { CuratorPanel } from './curatorPanel';
import type { PanelRegistry } from './panelRegistry';

export class SpotCheckStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('curator.spotCheckStatus', vscode.StatusBarAlignment.Left, 50);
  private readonly sub: vscode.Disposable;
  private lastPanel: CuratorPanel | undefined;

  constructor(registry: PanelRegistry) {
    this.item.name = 'Curator Spot Check';
    this.item.command = 'curator.focusSpotCheck';
    this.sub = registry.onDidChange((p) => this.update(p as CuratorPanel | undefined));
  }

  /** The spot check panel shown last (the status bar keeps showing it while another editor is active). */
  get panel(): CuratorPanel | undefined { return this.lastPanel; }

  update(p: CuratorPanel | undefined): void {
    if (p?.session) this.lastPanel = p;
    const cur = this.lastPanel;
    if (!cur?.session) { this.item.hide(); return; }
    const s = cur.session;
    const pr = s.progress();
    this.item.text = `$(checklist) ${s.plan.name} ${pr.judged} / ${pr.size}`;
    this.item.tooltip = `Spot check ${s.plan.name} (reviewer ${s.reviewer}): item ${cur.position + 1} of ${pr.size}; ${pr.correct} correct, ${pr.incorrect} incorrect, ${pr.skip} skipped${cur.readOnly ? ' — read-only' : ''}`;
    this.item.show();
  }

  forget(p: CuratorPanel): void {
    if (this.lastPanel === p) { this.lastPanel = undefined; this.item.hide(); }
  }

  dispose(): void { this.sub.dispose(); this.item.dispose(); }
}
