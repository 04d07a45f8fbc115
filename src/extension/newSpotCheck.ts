/**
 * "Curator: New Spot Check": asks for size (default min(setting, records); 250), seed and strata, draws the
 * sample through core (drawSample, in the index worker for a large file: the host never scans it) and
 * writes plan.json into the curation folder, then opens it for review. Arguments can be passed instead of prompting (tests, other commands).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Dataset } from '../core/dataset';
import { readPlan, spotcheckDir, validatePlanName, writePlan, type Plan } from '../core/plan';
import { proposedSampleSize, sampleSizeProblem } from '../core/sampleSize';
import { parseStrata } from '../core/strata';
import { BACKGROUND_MIN_BYTES, type DatasetCache } from './datasetCache';
import { acquireWithProgress } from './datasetOpening';
import { curationFolder, defaultSpotCheckSize, reviewerName } from './settings';
import { OPEN_REVIEW_COMMAND } from './reviewPanel';
import { walkthroughEvent } from './walkthrough';

export interface NewSpotCheckArgs {
  dataset?: string;
  size?: number;
  seed?: string;
  strata?: string;
  name?: string;
  /** Open the review editor afterwards (default true). */
  open?: boolean;
}

const STRATA_CHOICES: { label: string; value: string; detail: string }[] = [
  { label: 'By group size', value: 'groupSize', detail: 'single images, pairs, triples and quadruples sampled in proportion' },
  { label: 'None', value: 'none', detail: 'one simple random sample over the whole file' },
  { label: 'By subset field', value: 'field:subset', detail: 'strata from each record\'s "subset" field' },
  { label: 'Custom…', value: '', detail: 'field:NAME or ranges:Name=FROM-TO,…' },
];

export async function newSpotCheck(cache: DatasetCache, datasetPath: string, args: NewSpotCheckArgs = {}): Promise<string | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage('Curator: spot checks write files; trust this workspace first.');
    return undefined;
  }
  // The whole dataset, indexed off the host thread (ARCHITECTURE.md › Opening a large dataset); held until the plan is written.
  const ds = await acquireWithProgress(cache, datasetPath, { title: `Curator: New Spot Check: indexing ${path.basename(datasetPath)}` });
  if (!ds) return undefined;
  try {
    return await drawAndWrite(cache, ds, datasetPath, args);
  } finally {
    cache.release(ds);
  }
}

async function drawAndWrite(cache: DatasetCache, ds: Dataset, datasetPath: string, args: NewSpotCheckArgs): Promise<string | undefined> {
  let size = args.size;
  if (size === undefined) {
    // Propose min(default, records) and refuse more than the file holds here, not after every prompt.
    const population = ds.count;
    // The prompts stay open when focus moves: the curator's webview may take the focus as it renders, and the
    // answers typed so far would be lost.
    const s = await vscode.window.showInputBox({
      title: 'New Spot Check (1/3): sample size',
      ignoreFocusOut: true,
      value: String(proposedSampleSize(population, defaultSpotCheckSize())),
      prompt: `How many items to review (the paper checked 250 per subset; this file holds ${population})`,
      validateInput: (v) => sampleSizeProblem(v, population),
    });
    if (s === undefined) return undefined;
    size = Number(s.trim());
  }
  let seed = args.seed;
  if (seed === undefined) {
    seed = await vscode.window.showInputBox({
      title: 'New Spot Check (2/3): seed',
      ignoreFocusOut: true,
      value: String(Math.floor(Math.random() * 1e6)),
      prompt: 'The same seed, size and strata draw the same sample on every machine',
      validateInput: (v) => (v.trim() ? undefined : 'a seed is required'),
    });
    if (seed === undefined) return undefined;
    seed = seed.trim();
  }
  let strata = args.strata;
  if (strata === undefined) {
    const pick = await vscode.window.showQuickPick(STRATA_CHOICES, { title: 'New Spot Check (3/3): strata', ignoreFocusOut: true });
    if (!pick) return undefined;
    strata = pick.value;
    if (!strata) {
      strata = await vscode.window.showInputBox({
        title: 'Strata',
        ignoreFocusOut: true,
        prompt: 'field:NAME or ranges:Name=FROM-TO,…',
        validateInput: (v) => {
          try {
            parseStrata(v);
            return undefined;
          } catch (e) {
            return (e as Error).message;
          }
        },
      });
      if (strata === undefined) return undefined;
    }
  }
  const spec = parseStrata(strata);
  const name = validatePlanName(args.name ?? `sample-${size}-seed${seed}`.replace(/[^A-Za-z0-9._-]/g, '_'));
  const folder = curationFolder(datasetPath);
  const dir = spotcheckDir(folder, name);
  // Strata may read every record: the sample is drawn in the index worker of a large file (cache.sample).
  const opts = { name, seed, size, strata: spec, planDir: dir, createdBy: reviewerName() };
  const plan =
    ds.bytes < BACKGROUND_MIN_BYTES
      ? await cache.sample(ds, opts)
      : await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Curator: drawing ${size} items from ${path.basename(datasetPath)}`, cancellable: true },
          (_progress, token) =>
            new Promise<Plan | undefined>((resolve, reject) => {
              const sub = token.onCancellationRequested(() => resolve(undefined)); // the worker's draw is dropped
              cache
                .sample(ds, opts)
                .then(resolve, reject)
                .finally(() => sub.dispose());
            }),
        );
  if (!plan) return undefined;
  const file = path.join(dir, 'plan.json');
  if (fs.existsSync(file)) {
    const old = readPlan(dir);
    if (JSON.stringify(old.items) !== JSON.stringify(plan.items)) {
      throw new Error(`a different spot check named "${name}" exists in ${dir}; choose another seed or size`);
    }
  } else {
    writePlan(dir, plan);
  }
  walkthroughEvent('spotCheckCreated');
  if (args.open !== false) await vscode.commands.executeCommand(OPEN_REVIEW_COMMAND, dir);
  return dir;
}
