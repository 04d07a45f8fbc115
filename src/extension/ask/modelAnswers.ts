/**
 * Model answers for the curator views (issue #5; ARCHITECTURE.md › Extension host): one service
 * in the context that a view calls from its own message handlers — ask every enabled profile about
 * an item (streamed), or look up what is cached. A view owns its channel; this never touches it.
 */
import * as vscode from 'vscode';
import type { Dataset } from '../../core/dataset';
import type { ResolvedProfile } from '../../core/endpoint/profile';
import type { ModelAnswerView } from '../../protocol';
import { AnswerService } from './answerService';
import { readProfiles, SECRET_PREFIX } from './endpointSettings';

export const UNTRUSTED = 'This workspace is not trusted: the curator sends nothing to model endpoints. Trust the workspace to ask a model.';

/** The configured profiles; explains (once per call) when there are none or some are broken. */
export function profilesOrExplain(): ResolvedProfile[] {
  const { profiles, problems } = readProfiles();
  for (const p of problems) void vscode.window.showWarningMessage(`Curator: endpoint profile "${p.name}" ${p.message}`);
  if (profiles.length === 0 && problems.length === 0) {
    void vscode.window
      .showInformationMessage('Curator: no endpoint profile yet. Add one to the "curator.endpoints" setting (base URL and model).', 'Open Settings')
      .then((b) => {
        if (b) void vscode.commands.executeCommand('workbench.action.openSettings', 'curator.endpoints');
      });
  }
  return profiles;
}

export class ModelAnswers implements vscode.Disposable {
  readonly service: AnswerService;
  private readonly subs: vscode.Disposable[] = [];
  private readonly answered = new vscode.EventEmitter<string>();
  /** Fires with a dataset path after a spot-check run wrote new answers for it. */
  readonly onDidAnswer = this.answered.event;

  constructor(secrets: vscode.SecretStorage, log: vscode.LogOutputChannel) {
    this.service = new AnswerService(secrets, log);
    this.subs.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('curator.endpoints')) this.service.reset();
      }),
      secrets.onDidChange((e) => {
        if (e.key.startsWith(SECRET_PREFIX)) this.service.reset();
      }),
    );
  }

  /** New answers were written for a dataset (a spot-check run): caches start over, views re-read. */
  answersWritten(datasetPath: string): void {
    this.service.reset();
    this.answered.fire(datasetPath);
  }

  /** Asks every profile about record `index` of `ds`, reporting each stage; aborts with `signal`. */
  async ask(ds: Dataset, key: string, index: number, report: (v: ModelAnswerView) => void, signal: AbortSignal): Promise<void> {
    if (!vscode.workspace.isTrusted) {
      report({ key, profile: 'endpoint', model: '', state: 'error', text: '', error: UNTRUSTED });
      void vscode.window.showWarningMessage(`Curator: ${UNTRUSTED}`);
      return;
    }
    const profiles = profilesOrExplain();
    if (profiles.length === 0) return;
    await ds.prepare([index], { images: true });
    const item = ds.item(index);
    if (item.key !== key) throw new Error(`item ${key} moved; reopen the view`);
    await Promise.all(profiles.map((p) => this.service.ask(p, ds.path, item, report, signal)));
  }

  /** The answers already cached for an item (nothing is sent). */
  async cached(ds: Dataset, key: string, index: number): Promise<ModelAnswerView[]> {
    const { profiles } = readProfiles();
    if (profiles.length === 0) return [];
    try {
      await ds.prepare([index]);
      const item = ds.item(index);
      return item.key === key ? await this.service.cached(profiles, ds.path, item) : [];
    } catch {
      return []; // a broken record has no answers
    }
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.answered.dispose();
  }
}
