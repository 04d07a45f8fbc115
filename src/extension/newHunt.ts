/**
 * "Curator: New Hunt" (issue #16): measures the images and checks each label's claims against them
 * (core label audit, with progress and Cancel), then writes a plan of kind "hunt" — the items whose
 * labels the cues contradict, most suspicious first — and opens it for review. The report keeps its
 * verdicts apart from the random spot checks (ARCHITECTURE.md, "Image cues and label claims").
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { spotcheckDir, validatePlanName, writePlan } from '../core/plan';
import type { DatasetCache } from './datasetCache';
import { acquireWithProgress } from './datasetOpening';
import { curationFolder, imageRootFor, reviewerName } from './settings';
import { OPEN_REVIEW_COMMAND } from './reviewPanel';
import { walkthroughEvent } from './walkthrough';

export interface NewHuntArgs {
  dataset?: string;
  /** At most this many items (prompted when absent; default 100). */
  size?: number;
  name?: string;
  /** Open the review editor afterwards (default true). */
  open?: boolean;
}

export async function newHunt(cache: DatasetCache, datasetPath: string, args: NewHuntArgs = {}): Promise<string | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Curator: a hunt writes files; trust this workspace first.');
    return undefined;
  }
  let size = args.size;
  if (size === undefined) {
    const s = await vscode.window.showInputBox({
      title: 'New Hunt: how many items',
      value: '100',
      prompt: 'The most suspicious items (labels the image cues contradict) to review, most suspicious first',
      validateInput: (v) => (/^\s*[1-9]\d*\s*$/.test(v) ? undefined : 'a whole number ≥ 1'),
    });
    if (s === undefined) return undefined;
    size = Number(s.trim());
  }
  // The whole dataset, indexed off the host thread (ARCHITECTURE.md › Opening a large dataset).
  const ds = await acquireWithProgress(cache, datasetPath, { title: `Curator: New Hunt: indexing ${path.basename(datasetPath)}` });
  if (!ds) return undefined;
  try {
    const folder = curationFolder(datasetPath);
    let name = args.name;
    if (name === undefined) {
      name = `hunt-${size}`;
      for (let k = 2; fs.existsSync(path.join(spotcheckDir(folder, name), 'plan.json')); k++) name = `hunt-${size}-${k}`;
    }
    const dir = spotcheckDir(folder, validatePlanName(name));
    // The audit reads every record and image: in the index worker of a large file (cache.hunt).
    const hunt = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Curator: measuring images and checking label claims', cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        let last = 0;
        const res = await cache.hunt(
          ds,
          { imageRoot: imageRootFor(datasetPath), curationFolder: folder },
          { name: name!, planDir: dir, size, createdBy: reviewerName() },
          (done, total) => {
            const pct = (100 * done) / Math.max(1, total);
            if (pct - last >= 1 || done === total) {
              progress.report({ increment: pct - last, message: `${done} / ${total} images` });
              last = pct;
            }
          },
          abort.signal,
        );
        return token.isCancellationRequested || res.cancelled ? undefined : res;
      },
    );
    if (!hunt) return undefined;
    const plan = hunt.plan;
    if (plan.items.length === 0) {
      void vscode.window.showInformationMessage(`Curator: no label in ${path.basename(datasetPath)} is contradicted by its images' cues; no hunt written.`);
      return undefined;
    }
    if (fs.existsSync(path.join(dir, 'plan.json'))) throw new Error(`a plan named "${name}" exists in ${dir}; choose another name`);
    writePlan(dir, plan);
    walkthroughEvent('spotCheckCreated');
    if (args.open !== false) await vscode.commands.executeCommand(OPEN_REVIEW_COMMAND, dir);
    return dir;
  } finally {
    cache.release(ds);
  }
}
