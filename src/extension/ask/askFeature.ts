/**
 * Model answers in VS Code (issue #5), as command factories listed in ../commands.ts: "Curator:
 * Ask Model" streams each endpoint profile's answer beside the label in the active view (one
 * column per profile); "Curator: Ask Model for Spot Check" answers a whole sample with a
 * cancellable progress notification and writes the agreement file; "Curator: Show Model
 * Disagreements" lists the items where model and label differ and opens the picked one in review;
 * "Curator: Set Endpoint API Key…" stores a key in SecretStorage (so does "Curator: Add Endpoint…",
 * ./addEndpoint.ts). In an untrusted workspace no request is sent. The views answer their own "Ask model" button (../views/curatorView.ts).
 */
import * as vscode from 'vscode';
import { readDisagreements } from '../../core/answers/planDisagreements';
import { agreementPath, askSpotcheck, writeSpotcheckAnswers } from '../../core/answers/spotcheckAgreement';
import type { ResolvedProfile } from '../../core/endpoint/profile';
import { readPlan } from '../../core/plan';
import type { CommandFactory } from '../commands';
import type { CuratorContext } from '../context';
import { openSpotCheckEditor } from '../curatorEditorFeature';
import { acquireWithProgress } from '../datasetOpening';
import { readProfiles, SECRET_PREFIX } from './endpointSettings';
import { profilesOrExplain, UNTRUSTED } from './modelAnswers';
import { walkthroughEvent } from '../walkthrough';

async function pickProfiles(profiles: ResolvedProfile[], title: string): Promise<ResolvedProfile[]> {
  if (profiles.length <= 1) return profiles;
  const picked = await vscode.window.showQuickPick(
    profiles.map((p) => ({ label: p.name, description: `${p.model} · ${p.baseURLs.join(', ')}`, picked: true, p })),
    { title, canPickMany: true },
  );
  return picked?.map((x) => x.p) ?? [];
}

export const askModel: CommandFactory = (ctx) => async () => {
  const view = ctx.views.active;
  const cur = view?.shown;
  if (!view || !cur) {
    void vscode.window.showInformationMessage('Curator: open a dataset or spot check in the Curator and show an item first.');
    return;
  }
  try {
    await view.askModel(cur.key, cur.index);
  } catch (e) {
    void vscode.window.showErrorMessage(`Curator: ${(e as Error).message}`);
  }
};

/** Runs the sample through each chosen profile; returns the written agreement files. */
export const askModelForSpotCheck: CommandFactory = (ctx) => async (arg?: unknown) => {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage(`Curator: ${UNTRUSTED}`);
    return undefined;
  }
  const dir = await ctx.pickPlanDir(arg, 'Ask Model for Spot Check');
  if (!dir) return undefined;
  const chosen = await pickProfiles(profilesOrExplain(), 'Ask which profiles?');
  if (chosen.length === 0) return undefined;
  const plan = readPlan(dir);
  const ds = await acquireWithProgress(ctx.datasets, plan.datasetAbs, { format: plan.dataset.format }); // off the host thread when large
  if (!ds) return undefined;
  const files: string[] = [];
  const service = ctx.answers.service;
  try {
    for (const profile of chosen) {
      const res = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Curator: asking ${profile.name} about ${plan.name}`, cancellable: true },
        async (progress, token) => {
          const ctrl = new AbortController();
          token.onCancellationRequested(() => ctrl.abort());
          const { asker } = await service.askerFor(profile, ds.path);
          let last = 0;
          return askSpotcheck(ds, plan, asker, {
            signal: ctrl.signal,
            onProgress: (done, total) => {
              const pct = (100 * done) / total;
              progress.report({ increment: pct - last, message: `${done}/${total}` });
              last = pct;
            },
          });
        },
      );
      const file = writeSpotcheckAnswers(plan.dir, profile.slug, res);
      files.push(file);
      const s = res.summary;
      const rate = s.rate === null ? '—' : `${(100 * s.rate).toFixed(1)} %`;
      const msg =
        `Curator: ${profile.name} on ${plan.name}: agreement ${s.agree}/${s.compared} (${rate}), ${s.disagree} disagreement(s)` +
        `${s.failed ? `, ${s.failed} failed` : ''}${res.cancelled ? ' — cancelled, answers so far are kept' : ''}.`;
      void vscode.window.showInformationMessage(msg, 'Show Disagreements', 'Open File').then((b) => {
        if (b === 'Show Disagreements') void vscode.commands.executeCommand('curator.showModelDisagreements', plan.dir);
        if (b === 'Open File') void vscode.window.showTextDocument(vscode.Uri.file(file));
      });
      for (const f of res.failures.slice(0, 20)) ctx.log.warn(`${profile.name}: ${f.key}: ${f.error}`);
      ctx.answers.answersWritten(ds.path);
      if (res.cancelled) break;
    }
  } catch (e) {
    void vscode.window.showErrorMessage(`Curator: ${(e as Error).message}`);
  } finally {
    ctx.datasets.release(ds);
  }
  return files;
};

/** Lists the recorded disagreements; the picked item opens in the spot check's review at its plan position. */
export const showModelDisagreements: CommandFactory = (ctx) => async (arg?: unknown) => {
  const dir = await ctx.pickPlanDir(arg, 'Show Model Disagreements');
  if (!dir) return;
  const rows = readDisagreements(dir);
  if (rows.length === 0) {
    void vscode.window.showInformationMessage('Curator: no disagreements recorded for this spot check (run "Curator: Ask Model for Spot Check" first).');
    return;
  }
  const pick = await vscode.window.showQuickPick(
    rows.map((r) => ({
      label: r.d.key,
      description: `${r.profile}: model → ${r.d.answerChoice}; label → ${r.d.labelChoice}`,
      detail: r.d.answer.slice(0, 200),
      r,
    })),
    { title: `Model disagreements (${rows.length})`, matchOnDescription: true, matchOnDetail: true },
  );
  if (!pick) return;
  await openSpotCheckEditor(dir);
  const views = ctx.views.reviewsOf(dir);
  if (views.length === 0) {
    void vscode.window.showWarningMessage(`Curator: the review of ${dir} did not open.`);
    return;
  }
  for (const v of views) v.showKey(pick.r.d.key);
};

/**
 * Stores (or, when empty, removes) the key of profile `profileName` ("*": every profile without
 * its own) in SecretStorage, where ./endpointSettings.ts apiKeyFor reads it; a stored key
 * completes the walkthrough's endpoint step. Shared by "Set Endpoint API Key…" and "Add Endpoint…".
 */
export async function storeEndpointKey(ctx: CuratorContext, profileName: string, key: string): Promise<void> {
  const secrets = ctx.extension.secrets;
  if (key.trim() === '') await secrets.delete(SECRET_PREFIX + profileName);
  else {
    await secrets.store(SECRET_PREFIX + profileName, key.trim());
    walkthroughEvent('endpointKeySaved');
  }
  ctx.answers.service.reset();
}

export const setEndpointKey: CommandFactory = (ctx) => async () => {
  const { profiles } = readProfiles();
  const items = [
    ...profiles.map((p) => ({ label: p.name, description: p.baseURLs.join(', '), id: p.name })),
    { label: 'All profiles', description: 'used by profiles without a key of their own', id: '*' },
  ];
  const pick = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: 'Store an API key for…' });
  if (!pick) return;
  const key = await vscode.window.showInputBox({
    title: `API key for ${pick.label}`,
    password: true,
    ignoreFocusOut: true,
    prompt: 'Stored in VS Code SecretStorage, never in settings or logs. Leave empty to remove the stored key.',
  });
  if (key === undefined) return;
  await storeEndpointKey(ctx, pick.id, key);
  void vscode.window.showInformationMessage(`Curator: API key for ${pick.label} ${key.trim() ? 'stored' : 'removed'}.`);
};

/** For tests: the agreement file path of a plan and profile. */
export const internalAgreementFile: CommandFactory = () => (dir: unknown, slug: unknown) => agreementPath(String(dir), String(slug));
