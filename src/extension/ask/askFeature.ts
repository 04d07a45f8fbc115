/**
 * Model answers in VS Code (issue #5): "Curator: Ask Model" streams each endpoint profile's answer
 * beside the label in the item view (one column per profile); "Curator: Ask Model for Spot Check"
 * answers a whole sample with a cancellable progress notification and writes the agreement file;
 * "Curator: Show Model Disagreements" lists the items where model and label differ and opens them
 * in review; "Curator: Set Endpoint API Key…" stores a key in SecretStorage; the MCQ and 2AFC
 * evaluations run from ./evalCommands.ts. In an untrusted workspace no request is sent.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ItemComparison } from '../../core/answers/agreement';
import { agreementPath, askSpotcheck, writeSpotcheckAnswers, type SpotcheckAnswers } from '../../core/answers/spotcheckAgreement';
import { Dataset } from '../../core/dataset';
import type { ResolvedProfile } from '../../core/endpoint/profile';
import { readPlan } from '../../core/plan';
import * as P from '../../protocol';
import type { CuratorPanel } from '../curatorPanel';
import type { Feature } from '../features';
import { AnswerService } from './answerService';
import { curatorViews } from './curatorViews';
import { readProfiles, SECRET_PREFIX } from './endpointSettings';
import { registerEvalCommands } from './evalCommands';

const UNTRUSTED = 'This workspace is not trusted: the curator sends nothing to model endpoints. Trust the workspace to ask a model.';

function profilesOrExplain(): ResolvedProfile[] {
  const { profiles, problems } = readProfiles();
  for (const p of problems) void vscode.window.showWarningMessage(`Curator: endpoint profile "${p.name}" ${p.message}`);
  if (profiles.length === 0 && problems.length === 0) {
    void vscode.window.showInformationMessage('Curator: no endpoint profile yet. Add one to the "curator.endpoints" setting (base URL and model).', 'Open Settings').then((b) => {
      if (b) void vscode.commands.executeCommand('workbench.action.openSettings', 'curator.endpoints');
    });
  }
  return profiles;
}

async function pickProfiles(profiles: ResolvedProfile[], title: string): Promise<ResolvedProfile[]> {
  if (profiles.length <= 1) return profiles;
  const picked = await vscode.window.showQuickPick(profiles.map((p) => ({ label: p.name, description: `${p.model} · ${p.baseURLs.join(', ')}`, picked: true, p })), { title, canPickMany: true });
  return picked?.map((x) => x.p) ?? [];
}

export const askFeature: Feature = {
  name: 'model answers',
  activate(context) {
    const log = vscode.window.createOutputChannel('Curator: Model Answers', { log: true });
    const service = new AnswerService(context.secrets, log);
    const wired = new WeakSet<CuratorPanel>();
    const open = new Set<CuratorPanel>();
    const shown = new WeakMap<CuratorPanel, { key: string; index: number }>();
    const inFlight = new WeakMap<CuratorPanel, AbortController>();
    context.subscriptions.push(log,
      vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration('curator.endpoints')) service.reset(); }),
      context.secrets.onDidChange((e) => { if (e.key.startsWith(SECRET_PREFIX)) service.reset(); }));

    const active = (): CuratorPanel | undefined => curatorViews.registry?.active as CuratorPanel | undefined;

    const askInPanel = async (panel: CuratorPanel, key: string, index: number) => {
      const report = (v: P.ModelAnswerView) => { void panel.channel.notify(P.ModelAnswer, v); };
      if (!vscode.workspace.isTrusted) {
        report({ key, profile: 'endpoint', model: '', state: 'error', text: '', error: UNTRUSTED });
        void vscode.window.showWarningMessage(`Curator: ${UNTRUSTED}`);
        return;
      }
      const profiles = profilesOrExplain();
      if (profiles.length === 0) return;
      const ds = panel.dataset;
      const item = ds.item(index);
      if (item.key !== key) throw new Error(`item ${key} moved; reopen the view`);
      inFlight.get(panel)?.abort();
      const ctrl = new AbortController();
      inFlight.set(panel, ctrl);
      await Promise.all(profiles.map((p) => service.ask(p, ds.path, item, report, ctrl.signal)));
    };

    const wire = (panel: CuratorPanel) => {
      if (wired.has(panel)) return;
      wired.add(panel);
      panel.channel.onCommand(P.AskModel, ({ key, index }) => askInPanel(panel, key, index).catch((e) => log.error(String((e as Error).message))));
      panel.channel.onCommand(P.ModelAnswersWanted, async ({ key, index }) => {
        shown.set(panel, { key, index });
        await pushCached(panel);
      });
      panel.channel.onCommand(P.NextModelDisagreement, ({ direction }) => {
        const { positions } = disagreementPositions(panel);
        if (positions.length === 0) { void vscode.window.showInformationMessage('Curator: no model disagreements recorded for this spot check.'); return; }
        const cur = panel.position;
        const next = direction > 0 ? (positions.find((p) => p > cur) ?? positions[0]) : ([...positions].reverse().find((p) => p < cur) ?? positions[positions.length - 1]);
        panel.showIndex(next);
      });
      open.add(panel);
      panel.onDidDispose(() => { inFlight.get(panel)?.abort(); open.delete(panel); });
    };
    /** Review: plan positions of items where some profile disagrees with the label (agreement files beside the plan). */
    const disagreementPositions = (panel: CuratorPanel): { keys: string[]; positions: number[] } => {
      const s = panel.session;
      if (!s) return { keys: [], positions: [] };
      const keys = new Set<string>();
      let names: string[] = [];
      try { names = fs.readdirSync(s.plan.dir).filter((n) => /^agreement-.+\.json$/.test(n)); } catch { /* no folder */ }
      for (const f of names) {
        try {
          for (const d of (JSON.parse(fs.readFileSync(path.join(s.plan.dir, f), 'utf8')) as SpotcheckAnswers).disagreements) keys.add(d.key);
        } catch { /* a torn file is skipped */ }
      }
      const positions: number[] = [];
      const ordered: string[] = [];
      s.plan.items.forEach((it, i) => { if (keys.has(it.key)) { positions.push(i); ordered.push(it.key); } });
      return { keys: ordered, positions };
    };
    const sentDisagreements = new WeakMap<CuratorPanel, string>();
    const pushDisagreements = (panel: CuratorPanel) => {
      if (!panel.session) return;
      const { keys } = disagreementPositions(panel);
      const sig = keys.join('\n');
      if (sentDisagreements.get(panel) === sig) return;
      sentDisagreements.set(panel, sig);
      void panel.channel.notify(P.ModelDisagreements, { keys });
    };

    /** Sends the cached answers for the item a view shows (nothing is asked). */
    const pushCached = async (panel: CuratorPanel) => {
      pushDisagreements(panel);
      const cur = shown.get(panel);
      const { profiles } = readProfiles();
      if (!cur || profiles.length === 0) return;
      try {
        const item = panel.dataset.item(cur.index);
        if (item.key !== cur.key) return;
        for (const v of await service.cached(profiles, panel.dataset.path, item)) void panel.channel.notify(P.ModelAnswer, v);
      } catch { /* a broken record has no answers */ }
    };
    const hook = () => {
      const reg = curatorViews.registry;
      if (!reg) return;
      context.subscriptions.push(reg.onDidChange((p) => { if (p) wire(p as CuratorPanel); }));
      const p = active();
      if (p) wire(p);
    };
    hook();

    const reg = (id: string, fn: (...args: unknown[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));

    reg('curator.askModel', async () => {
      const panel = active();
      const cur = panel ? shown.get(panel) : undefined;
      if (!panel || !cur) { void vscode.window.showInformationMessage('Curator: open a dataset or spot check in the Curator and show an item first.'); return; }
      wire(panel);
      try { await askInPanel(panel, cur.key, cur.index); } catch (e) { void vscode.window.showErrorMessage(`Curator: ${(e as Error).message}`); }
    });

    const planDirFrom = async (arg: unknown): Promise<string | undefined> => {
      if (arg && typeof arg === 'object' && 'dir' in arg) return String((arg as { dir: string }).dir);
      if (typeof arg === 'string') return arg;
      if (arg instanceof vscode.Uri) return path.basename(arg.fsPath) === 'plan.json' ? path.dirname(arg.fsPath) : arg.fsPath;
      const s = active()?.session;
      if (s) return s.plan.dir;
      const found = await vscode.workspace.findFiles('**/spotchecks/*/plan.json', '**/node_modules/**', 200);
      const pick = await vscode.window.showQuickPick(found.map((f) => ({ label: path.basename(path.dirname(f.fsPath)), description: vscode.workspace.asRelativePath(f), dir: path.dirname(f.fsPath) })), { title: 'Ask Model for Spot Check' });
      return pick?.dir;
    };

    /** Runs the sample through each chosen profile; returns the written agreement files. */
    reg('curator.askModelForSpotCheck', async (arg: unknown) => {
      if (!vscode.workspace.isTrusted) { void vscode.window.showWarningMessage(`Curator: ${UNTRUSTED}`); return undefined; }
      const dir = await planDirFrom(arg);
      if (!dir) return undefined;
      const chosen = await pickProfiles(profilesOrExplain(), 'Ask which profiles?');
      if (chosen.length === 0) return undefined;
      const plan = readPlan(dir);
      const ds = Dataset.open(plan.datasetAbs, { format: plan.dataset.format as never });
      const files: string[] = [];
      try {
        for (const profile of chosen) {
          const res = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Curator: asking ${profile.name} about ${plan.name}`, cancellable: true }, async (progress, token) => {
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
          });
          const file = writeSpotcheckAnswers(plan.dir, profile.slug, res);
          files.push(file);
          const s = res.summary;
          const rate = s.rate === null ? '—' : `${(100 * s.rate).toFixed(1)} %`;
          const msg = `Curator: ${profile.name} on ${plan.name}: agreement ${s.agree}/${s.compared} (${rate}), ${s.disagree} disagreement(s)` +
            `${s.failed ? `, ${s.failed} failed` : ''}${res.cancelled ? ' — cancelled, answers so far are kept' : ''}.`;
          void vscode.window.showInformationMessage(msg, 'Show Disagreements', 'Open File').then((b) => {
            if (b === 'Show Disagreements') void vscode.commands.executeCommand('curator.showModelDisagreements', plan.dir);
            if (b === 'Open File') void vscode.window.showTextDocument(vscode.Uri.file(file));
          });
          for (const f of res.failures.slice(0, 20)) log.warn(`${profile.name}: ${f.key}: ${f.error}`);
          service.reset();
          for (const p of open) if (path.resolve(p.dataset.path) === path.resolve(ds.path)) void pushCached(p);
          if (res.cancelled) break;
        }
      } catch (e) {
        void vscode.window.showErrorMessage(`Curator: ${(e as Error).message}`);
      } finally {
        ds.close();
      }
      return files;
    });

    reg('curator.showModelDisagreements', async (arg: unknown) => {
      const dir = await planDirFrom(arg);
      if (!dir) return;
      const rows: { d: ItemComparison; profile: string }[] = [];
      for (const f of fs.readdirSync(dir).filter((n) => /^agreement-.+\.json$/.test(n))) {
        try {
          const a = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as SpotcheckAnswers;
          for (const d of a.disagreements) rows.push({ d, profile: a.profile.name });
        } catch { /* a torn file is skipped */ }
      }
      if (rows.length === 0) { void vscode.window.showInformationMessage('Curator: no disagreements recorded for this spot check (run "Curator: Ask Model for Spot Check" first).'); return; }
      const pick = await vscode.window.showQuickPick(rows.map((r) => ({
        label: r.d.key, description: `${r.profile}: model → ${r.d.answerChoice}; label → ${r.d.labelChoice}`, detail: r.d.answer.slice(0, 200), r,
      })), { title: `Model disagreements (${rows.length})`, matchOnDescription: true, matchOnDetail: true });
      if (!pick) return;
      const plan = readPlan(dir);
      const pos = plan.items.findIndex((i) => i.key === pick.r.d.key);
      await vscode.commands.executeCommand('curator.openSpotCheck', dir);
      const panel = active();
      if (panel && pos >= 0 && panel.session?.plan.dir === plan.dir) panel.showIndex(pos);
    });

    reg('curator.setEndpointKey', async () => {
      const { profiles } = readProfiles();
      const items = [...profiles.map((p) => ({ label: p.name, description: p.baseURLs.join(', '), id: p.name })), { label: 'All profiles', description: 'used by profiles without a key of their own', id: '*' }];
      const pick = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: 'Store an API key for…' });
      if (!pick) return;
      const key = await vscode.window.showInputBox({ title: `API key for ${pick.label}`, password: true, ignoreFocusOut: true, prompt: 'Stored in VS Code SecretStorage, never in settings or logs. Leave empty to remove the stored key.' });
      if (key === undefined) return;
      if (key.trim() === '') await context.secrets.delete(SECRET_PREFIX + pick.id);
      else await context.secrets.store(SECRET_PREFIX + pick.id, key.trim());
      service.reset();
      void vscode.window.showInformationMessage(`Curator: API key for ${pick.label} ${key.trim() ? 'stored' : 'removed'}.`);
    });

    registerEvalCommands(context, {
      service,
      profiles: profilesOrExplain,
      untrusted: UNTRUSTED,
      dataset: async (arg) => {
        if (arg instanceof vscode.Uri) return arg.fsPath;
        if (typeof arg === 'string') return arg;
        const p = active();
        if (p) return p.dataset.path;
        const doc = vscode.window.activeTextEditor?.document;
        if (doc && doc.uri.scheme === 'file' && /\.jsonl?$/i.test(doc.uri.fsPath)) return doc.uri.fsPath;
        const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { Datasets: ['json', 'jsonl'] }, title: 'Dataset to evaluate on' });
        return picked?.[0]?.fsPath;
      },
    });

    /** For tests: the agreement file path of a plan and profile. */
    reg('curator.internal.agreementFile', (dir: unknown, slug: unknown) => agreementPath(String(dir), String(slug)));
  },
};
