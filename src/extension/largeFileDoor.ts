/**
 * A way into the curator from VS Code's "very large file" page (issue #15): when the active tab is
 * a .json/.jsonl/.ndjson file that no text editor shows and that is large (VS Code does not show or
 * sync such files), the `curator.largeDataset` context key puts "Open Dataset" in the editor title
 * and a notification offers to open it in the curator (once per file and session; the
 * `curator.suggestOpenWithCurator` setting turns it off).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { suggestOpenWith } from './settings';

/** From this size VS Code shows its large-file page instead of the text (10 MB remote, 50 MB not synced to extensions). */
export const LARGE_TEXT_BYTES = 10 * 1024 * 1024;
const DATASET_FILE = /\.(jsonl?|ndjson)$/i;

/** The active tab's file when it is a large dataset file that no text editor shows, else undefined. */
export function largeDatasetTab(): { uri: vscode.Uri; size: number } | undefined {
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab;
  const uri = tab?.input instanceof vscode.TabInputText ? tab.input.uri : undefined;
  if (!tab || !uri || uri.scheme !== 'file' || !DATASET_FILE.test(uri.fsPath)) return undefined;
  if (vscode.window.visibleTextEditors.some((e) => e.document.uri.toString() === uri.toString())) return undefined;
  let size: number;
  try {
    size = fs.statSync(uri.fsPath).size;
  } catch {
    return undefined;
  }
  return size >= LARGE_TEXT_BYTES ? { uri, size } : undefined;
}

/** Opens a file in the curator in place of its (large-file) text tabs. */
export async function openInCurator(uri: vscode.Uri): Promise<void> {
  await vscode.commands.executeCommand('vscode.openWith', uri, 'curator.dataset');
  const text = vscode.window.tabGroups.all.flatMap((g) =>
    g.tabs.filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString()),
  );
  if (text.length) await vscode.window.tabGroups.close(text, true);
}

export class LargeFileDoor implements vscode.Disposable {
  private readonly offered = new Set<string>();
  private readonly subs: vscode.Disposable[];

  constructor() {
    this.subs = [vscode.window.tabGroups.onDidChangeTabs(() => this.check()), vscode.window.tabGroups.onDidChangeTabGroups(() => this.check())];
    this.check();
  }

  private check(): void {
    const large = largeDatasetTab();
    void vscode.commands.executeCommand('setContext', 'curator.largeDataset', !!large);
    if (!large || !suggestOpenWith() || this.offered.has(large.uri.fsPath)) return;
    this.offered.add(large.uri.fsPath);
    const mb = (large.size / 1e6).toFixed(0);
    void vscode.window
      .showInformationMessage(
        `${path.basename(large.uri.fsPath)} (${mb} MB) is too large for the text editor. Open it with the Curator? It shows the first records at once while the rest is indexed.`,
        'Open with Curator',
      )
      .then((choice) => {
        if (choice) void openInCurator(large.uri);
      });
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
  }
}
