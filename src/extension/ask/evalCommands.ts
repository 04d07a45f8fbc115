/**
 * "Curator: Evaluate MCQ with Model…" and "Curator: 2AFC Evaluation with Model…": the same runs as
 * `cocurate eval-mcq` / `cocurate twoafc`, with a cancellable progress notification; per-item
 * answers and a Markdown summary go to the curation folder's reports, and the summary opens.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ResolvedProfile } from '../../core/endpoint/profile';
import { mcqMarkdown, twoafcMarkdown } from '../../core/eval/evalMarkdown';
import { runMcqEval } from '../../core/eval/mcqRun';
import { preferencesText, runTwoAfc } from '../../core/eval/twoafcRun';
import { curationFolder } from '../settings';
import type { CommandFactory } from '../commands';
import type { CuratorContext } from '../context';
import { acquireWithProgress } from '../datasetOpening';
import { profilesOrExplain, UNTRUSTED } from './modelAnswers';

async function pickOne(profiles: ResolvedProfile[]): Promise<ResolvedProfile | undefined> {
  if (profiles.length <= 1) return profiles[0];
  const pick = await vscode.window.showQuickPick(
    profiles.map((p) => ({ label: p.name, description: `${p.model} · ${p.baseURLs.join(', ')}`, p })),
    { title: 'Evaluate which profile?' },
  );
  return pick?.p;
}

function progressRun<T>(title: string, fn: (signal: AbortSignal, report: (done: number, total: number) => void) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
    const ctrl = new AbortController();
    token.onCancellationRequested(() => ctrl.abort());
    let last = 0;
    return fn(ctrl.signal, (done, total) => {
      const pct = (100 * done) / total;
      progress.report({ increment: pct - last, message: `${done}/${total}` });
      last = pct;
    });
  });
}

async function showMarkdown(file: string, text: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  await vscode.commands
    .executeCommand('markdown.showPreview', vscode.Uri.file(file))
    .then(undefined, () => vscode.window.showTextDocument(vscode.Uri.file(file)));
}

async function prepare(ctx: CuratorContext, arg: unknown): Promise<{ file: string; profile: ResolvedProfile } | undefined> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(`Curator: ${UNTRUSTED}`);
    return undefined;
  }
  const file = await ctx.pickDataset(arg, 'Dataset to evaluate on');
  if (!file) return undefined;
  const profile = await pickOne(profilesOrExplain());
  return profile ? { file, profile } : undefined;
}

export const evalMcq: CommandFactory = (ctx) => async (arg?: unknown) => {
  const p = await prepare(ctx, arg);
  if (!p) return undefined;
  const ds = await acquireWithProgress(ctx.datasets, p.file); // off the host thread when large
  if (!ds) return undefined;
  try {
    const { asker } = await ctx.answers.service.askerFor(p.profile, ds.path);
    const run = await progressRun(`Curator: MCQ evaluation of ${p.profile.name}`, (signal, report) => runMcqEval(ds, asker, { signal, onProgress: report }));
    if (run.rows.length === 0) {
      void vscode.window.showWarningMessage(`Curator: ${path.basename(ds.path)} has no multiple-choice records (format ${ds.format}).`);
      return undefined;
    }
    const reports = path.join(curationFolder(ds.path), 'reports');
    const answers = path.join(reports, `eval-mcq-${p.profile.slug}.jsonl`);
    fs.mkdirSync(reports, { recursive: true });
    fs.writeFileSync(answers, run.rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const md = path.join(reports, `eval-mcq-${p.profile.slug}.md`);
    await showMarkdown(md, mcqMarkdown(run.report, { file: ds.path, profile: p.profile.name, model: p.profile.model, answers, cancelled: run.cancelled }));
    return md;
  } catch (e) {
    void vscode.window.showErrorMessage(`Curator: ${(e as Error).message}`);
    return undefined;
  } finally {
    ctx.datasets.release(ds);
  }
};

export const evalTwoAfc: CommandFactory = (ctx) => async (arg?: unknown, options?: unknown) => {
  const opts = (options ?? {}) as { rounds?: number; seed?: string };
  const p = await prepare(ctx, arg);
  if (!p) return undefined;
  let rounds = opts.rounds;
  let seed = opts.seed;
  if (rounds === undefined) {
    const r = await vscode.window.showInputBox({
      title: '2AFC rounds',
      value: '12',
      validateInput: (v) => (/^[1-9]\d*$/.test(v.trim()) ? undefined : 'a positive whole number'),
    });
    if (r === undefined) return undefined;
    rounds = Number(r.trim());
  }
  if (seed === undefined) {
    seed = await vscode.window.showInputBox({ title: '2AFC seed (same seed, same pairs)', value: '0' });
    if (seed === undefined) return undefined;
  }
  const ds = await acquireWithProgress(ctx.datasets, p.file); // off the host thread when large
  if (!ds) return undefined;
  try {
    const { asker } = await ctx.answers.service.askerFor(p.profile, ds.path);
    const run = await progressRun(`Curator: 2AFC evaluation of ${p.profile.name}`, (signal, report) =>
      runTwoAfc(ds, asker, { rounds, seed, signal, onProgress: report }),
    );
    const reports = path.join(curationFolder(ds.path), 'reports');
    const judgementsFile = path.join(reports, `twoafc-${p.profile.slug}.jsonl`);
    fs.mkdirSync(reports, { recursive: true });
    fs.writeFileSync(judgementsFile, preferencesText(run.answered));
    const md = path.join(reports, `twoafc-${p.profile.slug}.md`);
    await showMarkdown(
      md,
      twoafcMarkdown(run.overall, run.perGroup, {
        file: ds.path,
        profile: p.profile.name,
        model: p.profile.model,
        rounds: rounds!,
        seed: seed!,
        judgementsFile,
        cancelled: run.cancelled,
      }),
    );
    return md;
  } catch (e) {
    void vscode.window.showErrorMessage(`Curator: ${(e as Error).message}`);
    return undefined;
  } finally {
    ctx.datasets.release(ds);
  }
};
