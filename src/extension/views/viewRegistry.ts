/**
 * Knows every open curator view and which one is active (ARCHITECTURE.md › Extension host), and
 * mirrors the active one's state into context keys that scope the review keybindings (package.json "keybindings" `when` clauses):
 *   curator.focus     'item' | 'input' | 'none'  (reported by the webview: where keyboard focus is)
 *   curator.mode      'browse' | 'review' | 'preview' | ''
 *   curator.readOnly  true when marking is off (untrusted workspace)
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FocusArea } from '../../protocol';
import type { BrowseView } from './browseView';
import type { CuratorView } from './curatorView';
import type { ReviewView } from './reviewView';
import { walkthroughEvent } from '../walkthrough';

export class ViewRegistry implements vscode.Disposable {
  private readonly panels = new Set<CuratorView>();
  private current: CuratorView | undefined;
  private readonly changed = new vscode.EventEmitter<CuratorView | undefined>();
  /** Fires when the active panel changes or reports a new position/focus. */
  readonly onDidChange = this.changed.event;

  get active(): CuratorView | undefined {
    return this.current;
  }

  /** The active view when it reviews a spot check. */
  get activeReview(): ReviewView | undefined {
    const v = this.current;
    return v?.mode === 'review' ? v : undefined;
  }

  /** Open review views of a spot check (by plan folder). */
  reviewsOf(planDir: string): ReviewView[] {
    return [...this.panels].filter((v): v is ReviewView => v.mode === 'review' && path.resolve(v.session.plan.dir) === path.resolve(planDir));
  }

  /** The open browse view of a dataset file, if any. */
  browseOf(file: string): BrowseView | undefined {
    return [...this.panels].find((v): v is BrowseView => v.mode === 'browse' && path.resolve(v.dataset.path) === path.resolve(file));
  }

  /** Every open view. */
  all(): CuratorView[] {
    return [...this.panels];
  }

  add(p: CuratorView): vscode.Disposable {
    this.panels.add(p);
    if (p.mode === 'browse') walkthroughEvent('datasetOpened');
    const sub = p.panel.onDidChangeViewState(() => {
      if (p.panel.active) this.setActive(p);
      else if (this.current === p) this.setActive(undefined);
    });
    if (p.panel.active) this.setActive(p);
    return new vscode.Disposable(() => {
      sub.dispose();
      this.panels.delete(p);
      if (this.current === p) this.setActive(undefined);
    });
  }

  /** The webview reported where its keyboard focus is. */
  setFocus(p: CuratorView, area: FocusArea): void {
    p.focus = area;
    if (p.panel.active && this.current !== p) this.current = p;
    if (this.current === p) this.publish();
  }

  /** Something the status bar shows changed (position, progress). */
  touch(p: CuratorView): void {
    if (this.current === p) this.changed.fire(p);
  }

  private setActive(p: CuratorView | undefined): void {
    this.current = p;
    this.publish();
  }

  private publish(): void {
    const p = this.current;
    void vscode.commands.executeCommand('setContext', 'curator.focus', p ? p.focus : 'none');
    void vscode.commands.executeCommand('setContext', 'curator.mode', p ? p.mode : '');
    void vscode.commands.executeCommand('setContext', 'curator.readOnly', p ? p.readOnly : false);
    this.changed.fire(p);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
