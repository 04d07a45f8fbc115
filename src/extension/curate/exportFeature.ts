/**
 * "Curator: Export Curated Dataset" (issue #17; ARCHITECTURE.md, curation loop), a command factory
 * listed in ../commands.ts: picks a spot check, what to apply (drop incorrect, corrections,
 * decisions) and where to write, then runs core's applyCuration behind the shared output guard, in a
 * worker thread (applyWorkerClient.ts; ARCHITECTURE.md › Opening a large dataset) with progress and
 * cancellation, so the host never reads the dataset. Arguments `{dir, out, drop, corrections, decisions}` skip the pickers (tests, other commands).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { walkthroughEvent } from '../walkthrough';
import { ApplyCancelled, manifestPath, type ApplyResult } from '../../core/curate/apply';
import { applyCurationInWorker } from '../../core/curate/applyWorkerClient';
import { guardOutput } from '../../core/outputGuard';
import { readPlan } from '../../core/plan';
import type { CommandFactory } from '../commands';

interface ExportArgs {
  dir?: string;
  out?: string;
  drop?: boolean;
  corrections?: boolean;
  decisions?: boolean;
}

function exportArgs(arg: unknown): ExportArgs {
  return arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) && !Array.isArray(arg) ? (arg as ExportArgs) : {};
}

const CHOICES = [
  { label: 'Drop items judged incorrect', key: 'drop', detail: 'those with a correction are corrected instead when corrections apply' },
  { label: 'Apply corrections', key: 'corrections', detail: "replace the label by the reviewer's correction" },
  { label: 'Follow decisions', key: 'decisions', detail: 'drop every record of a stratum decided "drop"; apply corrections where "keep with corrections"' },
] as const;

/** Writes the curated dataset and its manifest; returns the counts (undefined when cancelled or refused). */
export const exportCuratedDataset: CommandFactory =
  (ctx) =>
  async (arg?: unknown): Promise<ApplyResult | undefined> => {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Curator: exporting writes files; trust this workspace first.');
      return undefined;
    }
    const a = exportArgs(arg);
    const dir = await ctx.pickPlanDir(a.dir ? { dir: a.dir } : arg, 'Export Curated Dataset');
    if (!dir) return undefined;
    let opts = { dropIncorrect: a.drop ?? false, corrections: a.corrections ?? false, decisions: a.decisions ?? false };
    if (a.drop === undefined && a.corrections === undefined && a.decisions === undefined) {
      const picked = await vscode.window.showQuickPick(
        CHOICES.map((c) => ({ ...c, picked: true })),
        // Stays open when focus moves (run from the report's button, the webview may take the focus as the pick opens).
        { title: 'Export Curated Dataset: what to apply', canPickMany: true, ignoreFocusOut: true },
      );
      if (!picked?.length) return undefined;
      const keys = new Set(picked.map((p) => p.key));
      opts = { dropIncorrect: keys.has('drop'), corrections: keys.has('corrections'), decisions: keys.has('decisions') };
    }
    try {
      const plan = readPlan(dir);
      let out = a.out;
      if (!out) {
        const ext = path.extname(plan.datasetAbs);
        const suggested = `${plan.datasetAbs.slice(0, plan.datasetAbs.length - ext.length)}.curated${ext}`;
        out = (await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(suggested), title: 'Write the curated dataset to', saveLabel: 'Export' }))
          ?.fsPath;
      }
      if (!out) return undefined;
      const file = guardOutput(out, { planDirs: [dir], inputs: [plan.datasetAbs], flag: 'file' });
      guardOutput(manifestPath(file), { planDirs: [dir], inputs: [plan.datasetAbs], flag: 'file' });
      const r = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Curator: exporting ${plan.name}`, cancellable: true },
        (progress, token) => {
          const ctrl = new AbortController();
          token.onCancellationRequested(() => ctrl.abort());
          let shown = 0;
          return applyCurationInWorker([dir], file, {
            ...opts,
            signal: ctrl.signal,
            onProgress: (step, done, total) => {
              // Indexing is the first half of the bar, writing the second.
              const pct = (step === 'index' ? 0 : 50) + (total > 0 ? (50 * done) / total : 50);
              progress.report({ increment: Math.max(0, pct - shown), message: step === 'index' ? 'reading the dataset' : 'writing' });
              shown = Math.max(shown, pct);
            },
          });
        },
      );
      walkthroughEvent('curatedExported');
      const open = 'Open';
      void vscode.window
        .showInformationMessage(
          `Curator: ${path.basename(r.output)}: ${r.kept} of ${r.records} records kept, ${r.dropped} dropped, ${r.corrected} corrected${r.warnings.length ? ` (${r.warnings.length} warning(s) in the manifest)` : ''}.`,
          open,
        )
        .then((b) => {
          if (b === open) void vscode.commands.executeCommand('vscode.open', vscode.Uri.file(r.output));
        });
      return r;
    } catch (e) {
      if (e instanceof ApplyCancelled) void vscode.window.showInformationMessage(`Curator: ${e.message}.`);
      else void vscode.window.showErrorMessage(`Curator: ${(e as Error).message}`);
      return undefined;
    }
  };
