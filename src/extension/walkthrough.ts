/**
 * Walkthrough progress on real events (ARCHITECTURE.md › Extension host): each "Get started with
 * Curator" step completes on a context key (package.json `completionEvents: onContext:…`) that the
 * extension sets when the thing itself happened — a dataset opened in the curator, a spot check's
 * plan written, a verdict on disk, a report shown, an endpoint key stored — not when a command was
 * merely invoked (a cancelled quick pick completes nothing).
 */
import * as vscode from 'vscode';

export type WalkthroughEvent =
  | 'datasetOpened'
  | 'spotCheckCreated'
  | 'verdictSaved'
  | 'labelCorrected'
  | 'reportOpened'
  | 'decisionRecorded'
  | 'curatedExported'
  | 'endpointKeySaved';

const done = new Set<WalkthroughEvent>();

/** Marks a walkthrough event as happened (sets `curator.walkthrough.<event>`; once per window). */
export function walkthroughEvent(event: WalkthroughEvent): void {
  if (done.has(event)) return;
  done.add(event);
  void vscode.commands.executeCommand('setContext', `curator.walkthrough.${event}`, true);
}
