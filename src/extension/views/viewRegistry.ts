/**
 * Knows every open curator webview and which one is active, and mirrors the active one's state into
 * context keys that scope the review keybindings (package.json "keybindings" `when` clauses):
 *   curator.focus     'item' | 'input' | 'none'  (reported by the webview: where keyboard focus is)
 *   curator.mode      'browse' | 'review' | 'preview' | ''
 *   curator.readOnly  true when marking is off (untrusted workspace)
 */
import * as vscode from 'vscode';
import type { FocusArea, Mode } from '../protocol';

export interface RegisteredPanel {
  readonly panel: vscode.WebviewPanel;
  readonly mode: Mode;
  readonly readOnly: boolean;
  focus: FocusArea;
}

export class PanelRegistry implements vscode.Disposable {
  private readonly panels = new Set<RegisteredPanel>();
  private current: RegisteredPanel | undefined;
  private readonly changed = new vscode.EventEmitter<RegisteredPanel | undefined>();
  /** Fires when the active panel changes or reports a new position/focus. */
  readonly onDidChange = this.changed.event;

  get active(): RegisteredPanel | undefined { return this.current; }

  add(p: RegisteredPanel): vscode.Disposable {
    this.panels.add(p);
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
  setFocus(p: RegisteredPanel, area: FocusArea): void {
    p.focus = area;
    if (p.panel.active && this.current !== p) this.current = p;
    if (this.current === p) this.publish();
  }

  /** Something the status bar shows changed (position, progress). */
  touch(p: RegisteredPanel): void {
    if (this.current === p) this.changed.fire(p);
  }

  private setActive(p: RegisteredPanel | undefined): void {
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

  dispose(): void { this.changed.dispose(); }
}
