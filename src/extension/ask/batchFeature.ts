/**
 * Batch files in VS Code (issue #18; ARCHITECTURE.md, "Running at scale"), as command factories
 * listed in ../commands.ts: "Curator: Export Batch Requests" writes a spot check's unanswered
 * questions for one endpoint profile as OpenAI Batch input files; "Curator: Import Batch Results"
 * reads Batch output files into the profile's answers cache and the spot check's agreement file.
 * Arguments `{dir, profile, out}` / `{dir, profile, files}` skip the pickers (tests, other commands).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { askSpotcheck, planItem, writeSpotcheckAnswers } from '../../core/answers/spotcheckAgreement';
import { BatchResultsAsker, exportBatchRequests as writeBatchRequests, type BatchExport } from '../../core/endpoint/batchAsk';
import { BatchFileWriter, readBatchOutput } from '../../core/endpoint/batchFiles';
import type { ResolvedProfile } from '../../core/endpoint/profile';
import { readPlan } from '../../core/plan';
import type { CommandFactory } from '../commands';
import { acquireWithProgress } from '../datasetOpening';
import { profilesOrExplain } from './modelAnswers';

interface BatchArgs {
  dir?: string;
  profile?: string;
  out?: string;
  files?: string[];
}

function batchArgs(arg: unknown): BatchArgs {
  return arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) && !Array.isArray(arg) ? (arg as BatchArgs) : {};
}

async function pickProfile(name: string | undefined, title: string): Promise<ResolvedProfile | undefined> {
  const profiles = profilesOrExplain();
  if (name !== undefined) {
    const p = profiles.find((x) => x.name === name);
    if (!p) void vscode.window.showErrorMessage(`Curator: no endpoint profile named "${name}" in curator.endpoints.`);
    return p;
  }
  if (profiles.length <= 1) return profiles[0];
  const pick = await vscode.window.showQuickPick(
    profiles.map((p) => ({ label: p.name, description: `${p.model} · ${p.baseURLs.join(', ')}`, p })),
    { title },
  );
  return pick?.p;
}

/** Writes the batch input files; returns what was written (undefined when cancelled at a picker). */
export const exportBatchRequests: CommandFactory =
  (ctx) =>
  async (arg?: unknown): Promise<BatchExport | undefined> => {
    const a = batchArgs(arg);
    const dir = await ctx.pickPlanDir(a.dir ? { dir: a.dir } : arg, 'Export Batch Requests');
    if (!dir) return undefined;
    const profile = await pickProfile(a.profile, 'Batch requests for which profile?');
    if (!profile) return undefined;
    let out = a.out;
    if (!out) {
      const picked = await vscode.window.showOpenDialog({
        canSelectFolders: true,
        canSelectFiles: false,
        canSelectMany: false,
        defaultUri: vscode.Uri.file(dir),
        openLabel: 'Write batch files here',
        title: 'Folder for the batch input files',
      });
      out = picked?.[0]?.fsPath;
    }
    if (!out) return undefined;
    const plan = readPlan(dir);
    const ds = await acquireWithProgress(ctx.datasets, plan.datasetAbs, { format: plan.dataset.format }); // off the host thread when large
    if (!ds) return undefined;
    try {
      const res = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Curator: batch requests for ${plan.name} (${profile.name})`, cancellable: true },
        async (progress, token) => {
          const ctrl = new AbortController();
          token.onCancellationRequested(() => ctrl.abort());
          const { asker } = await ctx.answers.service.askerFor(profile, ds.path);
          const entries = plan.items.map((pi) => ({ key: pi.key, item: () => planItem(ds, pi) }));
          let last = 0;
          return writeBatchRequests(entries, asker, new BatchFileWriter(out!, `ask-${profile.slug}`), {
            signal: ctrl.signal,
            onProgress: (done, total) => {
              const pct = (100 * done) / total;
              progress.report({ increment: pct - last, message: `${done}/${total}` });
              last = pct;
            },
          });
        },
      );
      for (const f of res.failures.slice(0, 20)) ctx.log.warn(`batch export ${profile.name}: ${f.key}: ${f.error}`);
      const files = res.written.files;
      const msg = `Curator: ${res.written.requests} request(s) in ${files.length} batch file(s)${res.cached ? `; ${res.cached} already answered` : ''}${res.failures.length ? `; ${res.failures.length} item(s) could not be written (see the Curator log)` : ''}.`;
      void vscode.window.showInformationMessage(msg, ...(files.length ? ['Reveal'] : [])).then((b) => {
        if (b === 'Reveal') void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(files[0].file));
      });
      return res;
    } catch (e) {
      void vscode.window.showErrorMessage(`Curator: ${(e as Error).message}`);
      return undefined;
    } finally {
      ctx.datasets.release(ds);
    }
  };

/** Reads Batch output files into the answers cache and the agreement file; returns that file. */
export const importBatchResults: CommandFactory =
  (ctx) =>
  async (arg?: unknown): Promise<string | undefined> => {
    const a = batchArgs(arg);
    const dir = await ctx.pickPlanDir(a.dir ? { dir: a.dir } : arg, 'Import Batch Results');
    if (!dir) return undefined;
    const profile = await pickProfile(a.profile, 'Batch results of which profile?');
    if (!profile) return undefined;
    let files = a.files;
    if (!files?.length) {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: true,
        defaultUri: vscode.Uri.file(dir),
        filters: { 'Batch output': ['jsonl'] },
        openLabel: 'Import',
        title: 'Batch output (and error) files',
      });
      files = picked?.map((u) => u.fsPath);
    }
    if (!files?.length) return undefined;
    const plan = readPlan(dir);
    const ds = await acquireWithProgress(ctx.datasets, plan.datasetAbs, { format: plan.dataset.format }); // off the host thread when large
    if (!ds) return undefined;
    try {
      const output = readBatchOutput(files.map((f) => path.resolve(f)));
      const { asker: live } = await ctx.answers.service.askerFor(profile, ds.path);
      const asker = new BatchResultsAsker(profile, live.client, live.cache, live.imageRoot, output.results);
      const res = await askSpotcheck(ds, plan, asker);
      const file = writeSpotcheckAnswers(plan.dir, profile.slug, res);
      ctx.answers.answersWritten(ds.path);
      const unknown = asker.unknownResults();
      for (const p of output.problems.slice(0, 20)) ctx.log.warn(`batch import: ${p.where}: ${p.message}`);
      for (const u of unknown.slice(0, 20))
        ctx.log.warn(`batch import: ${u.where}: custom_id "${u.customId}" matches no item of ${plan.name} for ${profile.name}`);
      for (const f of res.failures.slice(0, 20)) ctx.log.warn(`batch import ${profile.name}: ${f.key}: ${f.error}`);
      const s = res.summary;
      const rate = s.rate === null ? '—' : `${(100 * s.rate).toFixed(1)} %`;
      const notes = [
        res.failures.length ? `${res.failures.length} without an answer` : '',
        output.problems.length ? `${output.problems.length} unreadable line(s)` : '',
        unknown.length ? `${unknown.length} result(s) for no item here` : '',
      ].filter(Boolean);
      void vscode.window
        .showInformationMessage(
          `Curator: ${profile.name} on ${plan.name} from batch results: agreement ${s.agree}/${s.compared} (${rate})${notes.length ? `; ${notes.join(', ')} (see the Curator log)` : ''}.`,
          'Show Disagreements',
        )
        .then((b) => {
          if (b === 'Show Disagreements') void vscode.commands.executeCommand('curator.showModelDisagreements', plan.dir);
        });
      return file;
    } catch (e) {
      void vscode.window.showErrorMessage(`Curator: ${(e as Error).message}`);
      return undefined;
    } finally {
      ctx.datasets.release(ds);
    }
  };
