/**
 * A report row's link back to its item. The review editor owns item navigation: when it registers
 * `curator.revealItem` ({dir, key, index}), the item opens there. Until then the spot check opens in
 * the review editor and the record is shown in the dataset's text at its line.
 */
import * as vscode from 'vscode';
import { readPlan } from '../../core/plan';
import type { DatasetCache } from '../datasetCache';
import { acquireWithProgress } from '../datasetOpening';

export const REVEAL_ITEM_COMMAND = 'curator.revealItem';

export async function openReportItem(item: { dir: string; key: string; index: number }, datasets: DatasetCache): Promise<void> {
  const commands = await vscode.commands.getCommands(true);
  if (commands.includes(REVEAL_ITEM_COMMAND)) {
    await vscode.commands.executeCommand(REVEAL_ITEM_COMMAND, item);
    return;
  }
  const plan = readPlan(item.dir);
  const position = plan.items.findIndex((it) => it.key === item.key);
  let line = 0;
  // The record's line, from the cache's index (a large file is indexed off the host thread).
  const ds = await acquireWithProgress(datasets, plan.datasetAbs, { format: plan.dataset.format });
  if (!ds) return;
  try {
    const i = ds.findKey(item.key) ?? item.index;
    if (i < ds.count) line = Math.max(0, ds.index.line(i) - 1);
  } finally {
    datasets.release(ds);
  }
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(plan.datasetAbs));
  const range = new vscode.Range(line, 0, line, 0);
  await vscode.window.showTextDocument(doc, { selection: range, preview: true, viewColumn: vscode.ViewColumn.Beside });
  void vscode.window.setStatusBarMessage(`Curator: item ${item.key} (position ${position + 1} of ${plan.items.length} in ${plan.name})`, 5000);
}
