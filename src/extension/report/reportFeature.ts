/**
 * "Curator: Show Spot-Check Report" (issue #4): the report of one spot check, or of all of them with
 * comparisons, in a theme-aware webview.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Feature } from '../features';
import { ReportPanel } from './reportPanel';

/** Plan folder(s) from a command argument: a tree node ({dir}), a plan.json or folder Uri, a path, a list. */
export function planDirsFromArg(arg: unknown): string[] {
  if (Array.isArray(arg)) return arg.flatMap(planDirsFromArg);
  if (arg instanceof vscode.Uri) return [path.basename(arg.fsPath) === 'plan.json' ? path.dirname(arg.fsPath) : arg.fsPath];
  if (typeof arg === 'string') return [path.basename(arg) === 'plan.json' ? path.dirname(arg) : arg];
  if (arg && typeof arg === 'object' && typeof (arg as { dir?: unknown }).dir === 'string') return [(arg as { dir: string }).dir];
  return [];
}

/** The spot check open in the active review editor (the review feature reports it), if any. */
async function activeSpotCheck(): Promise<string[]> {
  try {
    const commands = await vscode.commands.getCommands(true);
    if (!commands.includes('curator.internal.activeView')) return [];
    const v = await vscode.commands.executeCommand<{ spotCheck?: string } | undefined>('curator.internal.activeView');
    return v?.spotCheck ? [v.spotCheck] : [];
  } catch {
    return [];
  }
}

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

export const reportFeature: Feature = {
  name: 'spot-check report',
  activate(context) {
    const log = vscode.window.createOutputChannel('Curator Report', { log: true });
    context.subscriptions.push(log);
    context.subscriptions.push(
      vscode.commands.registerCommand('curator.showReport', async (arg?: unknown, more?: unknown) => {
        // From a tree with several rows selected, VS Code passes (clicked, allSelected).
        let dirs = planDirsFromArg(Array.isArray(more) && more.length > 1 ? more : arg);
        if (dirs.length === 0) dirs = await activeSpotCheck();
        if (dirs.length === 0) dirs = (await pickPlans()) ?? [];
        if (dirs.length === 0) return undefined;
        try {
          const p = ReportPanel.show(context.extensionUri, [...new Set(dirs)], (m) => log.error(m));
          context.subscriptions.push(p);
          return p.panel.title;
        } catch (e) {
          void vscode.window.showErrorMessage(`Curator: ${(e as Error).message}`);
          return undefined;
        }
      }),
    );
  },
};
