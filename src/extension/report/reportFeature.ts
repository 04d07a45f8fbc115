/**
 * "Curator: Show Spot-Check Report" (issue #4): the report of one spot check, or of all of them with
 * comparisons, in a theme-aware webview. The command is a factory listed in ../commands.ts.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CommandFactory } from '../commands';
import { planDirsFromArg } from '../context';
import { ReportPanel } from './reportPanel';

async function pickPlans(): Promise<string[] | undefined> {
  const found = await vscode.workspace.findFiles('**/spotchecks/*/plan.json', '**/node_modules/**', 500);
  const dirs = found.map((f) => path.dirname(f.fsPath)).sort();
  if (dirs.length === 0) {
    void vscode.window.showInformationMessage('Curator: no spot check in this workspace yet (Curator: New Spot Check).');
    return undefined;
  }
  if (dirs.length === 1) return dirs;
  type Pick = vscode.QuickPickItem & { dirs: string[] };
  const items: Pick[] = [
    { label: 'All spot checks', description: `${dirs.length} spot checks, compared pairwise`, dirs },
    ...dirs.map((d) => ({ label: path.basename(d), description: vscode.workspace.asRelativePath(d), dirs: [d] })),
  ];
  const pick = await vscode.window.showQuickPick(items, { title: 'Show Spot-Check Report', placeHolder: 'Which spot check?' });
  return pick?.dirs;
}

export const showReport: CommandFactory = (ctx) => async (arg?: unknown, more?: unknown) => {
  // From a tree with several rows selected, VS Code passes (clicked, allSelected).
  let dirs = planDirsFromArg(Array.isArray(more) && more.length > 1 ? more : arg);
  if (dirs.length === 0) {
    const review = ctx.views.activeReview;
    if (review) dirs = [review.session.plan.dir];
  }
  if (dirs.length === 0) dirs = (await pickPlans()) ?? [];
  if (dirs.length === 0) return undefined;
  try {
    const p = ReportPanel.show(
      ctx.extensionUri,
      [...new Set(dirs)],
      (m) => ctx.log.error(m),
      () => ctx.settings.reviewer,
      ctx.datasets,
    );
    ctx.extension.subscriptions.push(p);
    return p.panel.title;
  } catch (e) {
    void vscode.window.showErrorMessage(`Curator: ${(e as Error).message}`);
    return undefined;
  }
};
