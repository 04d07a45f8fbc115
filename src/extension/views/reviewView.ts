/**
 * Review mode (ARCHITECTURE.md › Extension host): one reviewer working through one spot check in
 * the "curator.spotCheck" custom editor. Positions are plan positions: GetPlanItem answers them,
 * ShowPlanPosition moves the webview to one (next/previous model disagreement, a pick from the
 * disagreements list). Marks are appended and fsynced (SpotCheckSession) before they are answered.
 */
import { toClaimsView } from './claimsView';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { disagreementPositions, stepDisagreement } from '../../core/answers/planDisagreements';
import type { Dataset } from '../../core/dataset';
import { itemClaims } from '../../core/claims/itemClaims';
import { CueStore } from '../../core/cues/cueStore';
import { parseReviewReasons } from '../../core/reviewReasons';
import type { SpotCheckSession } from '../../core/spotCheckSession';
import type { VerdictLine } from '../../core/verdicts';
import * as P from '../../protocol';
import type { CuratorContext } from '../context';
import { curationFolder } from '../settings';
import type { CuratorPage } from './curatorPage';
import { CuratorViewBase } from './curatorView';
import { walkthroughEvent } from '../walkthrough';

const toSaved = (l: VerdictLine): P.SavedVerdict => ({
  verdict: l.verdict as P.Verdict,
  note: l.note,
  ...(l.correction !== undefined ? { correction: l.correction } : {}),
  ...(l.reasons?.length ? { reasons: l.reasons } : {}),
  at: l.at,
});

/** `curator.review.reasons`, read by core (src/core/reviewReasons.ts); bad entries are logged and left out. */
function reviewReasons(log: (m: string) => void): P.ReviewReason[] {
  const { reasons, problems } = parseReviewReasons(vscode.workspace.getConfiguration('curator').get('review.reasons'));
  for (const p of problems) log(p);
  return reasons;
}

const UNTRUSTED_REVIEW = 'This workspace is not trusted: the curator browses read-only (trust the workspace to mark items).';

export class ReviewView extends CuratorViewBase {
  readonly mode = 'review';
  /** Where the webview starts when it has not loaded yet (a disagreement picked before the editor was up). */
  private pendingPosition: number | undefined;
  private sentDisagreements: string | undefined;
  private released = false;

  constructor(
    ctx: CuratorContext,
    panel: vscode.WebviewPanel,
    readonly session: SpotCheckSession,
    page?: CuratorPage,
  ) {
    super(ctx, panel, session.ds.path, vscode.workspace.isTrusted ? false : { reason: UNTRUSTED_REVIEW }, page);
    const ch = this.channel;
    ch.onRequest(P.GetPlanItem, ({ position }) => this.planItem(position));
    ch.onRequest(P.GetClaims, ({ position }) => this.claims(position));
    ch.onRequest(P.Mark, async ({ key, verdict, note, correction, reasons }) => {
      // The journal is named after the reviewer: wait until the window's settings have arrived.
      await ctx.settings.loaded;
      const t0 = performance.now();
      const s = this.writable();
      const line = s.mark(key, verdict, note, { correction, reasons });
      walkthroughEvent('verdictSaved'); // appended and fsynced
      if (line.correction !== undefined || line.reasons?.length) walkthroughEvent('labelCorrected');
      const progress = s.progress();
      const hostMs = performance.now() - t0;
      // Views that show counts refresh after the answer is on its way.
      setImmediate(() => this.verdictsChanged());
      return { key, saved: toSaved(line), progress, hostMs };
    });
    ch.onRequest(P.Undo, ({ key }) => {
      const s = this.writable();
      const cur = s.undo(key);
      this.verdictsChanged();
      return { key, current: cur ? toSaved(cur) : undefined, progress: s.progress() };
    });
    ch.onCommand(P.NextModelDisagreement, ({ direction }) => {
      const { positions } = disagreementPositions(session.plan.dir, session.plan.items);
      const next = stepDisagreement(positions, this.position, direction);
      if (next === undefined) {
        void vscode.window.showInformationMessage('Curator: no model disagreements recorded for this spot check.');
        return;
      }
      this.showPosition(next);
    });
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('curator.review.reasons')) void ch.notify(P.ReviewReasons, { reasons: reviewReasons((m) => ctx.log.warn(m)) });
      }),
    );
    // The reviewer decides which journal is written: follow the setting (src/extension/settings.ts).
    this.disposables.push(ctx.settings.onDidChangeReviewer((name) => this.switchReviewer(name)));
    this.start();
    if (ctx.settings.reviewer !== session.reviewer) this.switchReviewer(ctx.settings.reviewer);
  }

  protected get self(): ReviewView {
    return this;
  }
  get dataset(): Dataset {
    return this.session.ds;
  }

  /** From the palette, "Give a Reason…" has no key: pick the reason, then send its key. */
  override key(action: P.KeyAction, key?: string): void {
    if (action !== 'reason' || key !== undefined) return super.key(action, key);
    const items = reviewReasons((m) => this.ctx.log.warn(m)).map((r) => ({ label: r.reason, description: `key ${r.key}`, key: r.key }));
    void vscode.window.showQuickPick(items, { title: 'Why is this item incorrect?', placeHolder: 'A reason (it marks the item incorrect)' }).then((pick) => {
      if (pick) super.key('reason', pick.key);
    });
  }

  /** Shows a plan position now, or as the first item once the webview has started. */
  showPosition(position: number): void {
    if (this.ready) void this.channel.notify(P.ShowPlanPosition, { position });
    else this.pendingPosition = position;
  }

  /** Shows the item with this key, if it is in the plan; false when it is not. */
  showKey(key: string): boolean {
    const pos = this.session.plan.items.findIndex((i) => i.key === key);
    if (pos < 0) return false;
    this.showPosition(pos);
    this.panel.reveal();
    return true;
  }

  protected initState(): P.InitState {
    const s = this.session;
    const verdicts: Record<string, P.SavedVerdict> = {};
    for (const [k, l] of s.latest) verdicts[k] = toSaved(l);
    // Reopening (or reloading the window) resumes at the first unjudged item; the webview's saved
    // state is not used here because VS Code may restore an older copy of it after a reload.
    const start = this.pendingPosition ?? s.resumePosition();
    this.pendingPosition = undefined;
    this.position = start;
    this.ctx.views.touch(this);
    this.sentDisagreements = undefined;
    setImmediate(() => this.sendDisagreements());
    return {
      mode: 'review',
      readOnly: this.readOnly,
      readOnlyReason: this.readOnlyReason,
      dataset: this.datasetInfo(),
      subsets: this.subsets(),
      plan: {
        name: s.plan.name,
        size: s.plan.items.length,
        seed: s.plan.seed,
        strata: s.plan.strata,
        reviewer: s.reviewer,
        items: s.plan.items.map((i) => ({ key: i.key, index: i.index, stratum: i.stratum })),
      },
      verdicts,
      reasons: reviewReasons((m) => this.ctx.log.warn(m)),
      progress: s.progress(),
      start,
      warnings: [...s.warnings],
    };
  }

  private async planItem(position: number): Promise<P.ItemResult> {
    const s = this.session;
    const r = await this.record(s.datasetIndex(position));
    const planned = s.plan.items[position];
    if (r.item && planned && r.item.hash !== planned.hash) {
      return { ...r, changed: `This record changed since the spot check was drawn (hash ${planned.hash} → ${r.item.hash}).` };
    }
    return r;
  }

  private cueStore: CueStore | undefined;
  private measuring: AbortController | undefined;

  /**
   * The label's claims at a plan position with its images' cues (core itemClaims; cues cached by
   * content hash in the curation folder's cues/). A newer request stops the one before.
   */
  private async claims(position: number): Promise<P.ItemClaimsView> {
    if (!vscode.workspace.isTrusted) throw new Error('image cues are not measured in an untrusted workspace');
    this.measuring?.abort();
    const ctrl = new AbortController();
    this.measuring = ctrl;
    const ds = this.session.ds;
    const index = this.session.datasetIndex(position);
    await ds.prepare([index]);
    const item = ds.item(index);
    this.cueStore ??= CueStore.open(path.join(curationFolder(ds.path), 'cues'));
    const r = await itemClaims(item, this.imageRoot(), this.cueStore, { signal: ctrl.signal });
    if (ctrl.signal.aborted) throw new Error('superseded by a later item');
    return toClaimsView(item.key, r);
  }

  private writable(): SpotCheckSession {
    if (this.readOnly) throw new Error(this.readOnlyReason ?? 'read-only');
    return this.session;
  }

  private verdictsChanged(): void {
    this.ctx.verdictsChanged();
    this.ctx.views.touch(this);
  }

  private switchReviewer(name: string): void {
    if (name === this.session.reviewer) return;
    this.session.switchReviewer(name);
    this.verdictsChanged();
    void this.channel.notify(P.Refresh, { reason: `reviewer is now ${name}` });
  }

  /** Keys of the plan's items some model disagrees on (sent when they change). */
  private sendDisagreements(): void {
    const { keys } = disagreementPositions(this.session.plan.dir, this.session.plan.items);
    const sig = keys.join('\n');
    if (sig === this.sentDisagreements) return;
    this.sentDisagreements = sig;
    void this.channel.notify(P.ModelDisagreements, { keys });
  }

  protected override async sendCachedAnswers(): Promise<void> {
    this.sendDisagreements();
    await super.sendCachedAnswers();
  }

  override dispose(): void {
    this.measuring?.abort();
    super.dispose();
    this.ctx.statusBar.forget(this);
    if (this.released) return;
    this.released = true;
    this.session.dispose();
  }
}
