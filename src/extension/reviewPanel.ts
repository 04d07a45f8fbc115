/**
 * Reviews open in a titled webview panel (ARCHITECTURE.md › Extension host): a custom-editor tab
 * always shows its file's name — every review would read "plan.json" — so the commands open a
 * review as a WebviewPanel titled "Review: <dataset> · <spot check>", with the dataset's parent
 * folders added when two open datasets share a file name (as VS Code's own tab labels do).
 * Opening plan.json itself still uses the "curator.spotCheck" custom editor. Panels come back after a
 * window reload (a serializer finds the spot check by the restored title); a panel VS Code did not
 * keep — it saves a webview panel only while its extension's serializer is live, so a reload after an
 * extension-host crash drops it — is opened again on activation.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SpotCheckSession } from '../core/spotCheckSession';
import { distinctLabels } from '../core/tabLabels';
import type { CuratorContext } from './context';
import type { CommandId } from './commandIds';
import type { CommandFactory } from './commands';
import { openSpotCheckSession } from './datasetOpening';
import type { Feature } from './features';
import { ReviewView } from './views/reviewView';

export const REVIEW_PANEL_TYPE = 'curator.review';
/** Internal command (not in the palette): opens or reveals the review of a spot check folder. */
export const OPEN_REVIEW_COMMAND = 'curator.internal.openReviewPanel' satisfies CommandId;

/** The command of OPEN_REVIEW_COMMAND, registered from the command table (commands.ts). */
export const openReviewPanel: CommandFactory = (ctx) => async (dir: string) => {
  try {
    await openReview(ctx, dir);
  } catch (e) {
    void vscode.window.showErrorMessage(`Curator: cannot open spot check ${dir}: ${(e as Error).message}`);
  }
};
const OPEN_PANELS_KEY = 'curator.reviewPanels';

/** The review's tab title; `others` are the dataset paths of the other open curator views. */
export function reviewTitle(datasetPath: string, planName: string, others: readonly string[]): string {
  const label = distinctLabels([datasetPath, ...others]).get(path.resolve(datasetPath)) ?? path.basename(datasetPath);
  return `Review: ${label} · ${planName}`;
}

/** Opens the spot check in `dir` in a titled review panel, or reveals the review already open on it. */
export async function openReview(ctx: CuratorContext, dir: string, preserveFocus = false): Promise<ReviewView | undefined> {
  const open = ctx.views.reviewsOf(dir)[0];
  if (open) {
    open.panel.reveal(undefined, preserveFocus);
    return open;
  }
  const session = await openSpotCheckSession(ctx.datasets, dir, ctx.settings.reviewer); // large datasets: off the host thread, cancellable
  if (!session) return undefined;
  const meanwhile = ctx.views.reviewsOf(dir)[0]; // opened while this one waited for its dataset
  if (meanwhile) {
    session.dispose();
    meanwhile.panel.reveal(undefined, preserveFocus);
    return meanwhile;
  }
  // A tab VS Code restored but has not shown since the reload (its serializer runs when it is shown):
  // the new panel takes its place rather than standing beside it.
  const restored = pendingTabs(ctx).find((p) => samePath(p.dir, dir))?.tab;
  const column = restored?.group.viewColumn ?? vscode.ViewColumn.Active;
  if (restored) await vscode.window.tabGroups.close(restored, true);
  const panel = vscode.window.createWebviewPanel(REVIEW_PANEL_TYPE, 'Review', { viewColumn: column, preserveFocus }, { enableFindWidget: true });
  return attach(ctx, panel, session);
}

/** A review panel as remembered for a reload, by its title: its plan folder and dataset. */
interface RememberedPanel {
  dir: string;
  dataset?: string;
}

/** Title → the review panels open when the window last changed them (an older version kept the folder only). */
function rememberedPanels(ctx: CuratorContext): Map<string, RememberedPanel> {
  const raw = ctx.extension.workspaceState.get<Record<string, unknown>>(OPEN_PANELS_KEY, {});
  const out = new Map<string, RememberedPanel>();
  for (const [title, v] of Object.entries(raw)) {
    if (typeof v === 'string') out.set(title, { dir: v });
    else if (v && typeof (v as RememberedPanel).dir === 'string') out.set(title, v as RememberedPanel);
  }
  return out;
}

function samePath(a: string, b: string): boolean {
  return path.resolve(a) === path.resolve(b);
}

/** The editor tabs of review panels, live or restored (the tab API names a panel's type with a prefix). */
function reviewTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && (t.input.viewType === REVIEW_PANEL_TYPE || t.input.viewType.endsWith(`-${REVIEW_PANEL_TYPE}`)));
}

/**
 * Review tabs VS Code restored after a reload that have not been shown yet: VS Code runs their
 * serializer only when they are shown, so no view exists for them and their title is the one saved.
 */
function pendingTabs(ctx: CuratorContext): (RememberedPanel & { title: string; tab: vscode.Tab })[] {
  const remembered = rememberedPanels(ctx);
  return reviewTabs().flatMap((tab) => {
    const r = remembered.get(tab.label);
    return r && !ctx.views.reviewsOf(r.dir).length ? [{ ...r, title: tab.label, tab }] : [];
  });
}

function attach(ctx: CuratorContext, panel: vscode.WebviewPanel, session: SpotCheckSession): ReviewView {
  panel.title = reviewTitle(session.ds.path, session.plan.name, openDatasets(ctx));
  const view = new ReviewView(ctx, panel, session); // lives until the panel closes (it disposes itself)
  retitle(ctx);
  panel.onDidDispose(() => setTimeout(() => retitle(ctx), 0));
  return view;
}

/** Datasets of the open curator views and of the review tabs restored but not shown yet. */
function openDatasets(ctx: CuratorContext): string[] {
  return [...ctx.views.all().map((v) => v.dataset.path), ...pendingTabs(ctx).flatMap((p) => (p.dataset ? [p.dataset] : []))];
}

/**
 * Gives every review panel its title again (a dataset of the same name opened or closed) and remembers
 * the open ones for a reload — also the restored tabs not shown yet, which keep their saved title.
 */
function retitle(ctx: CuratorContext): void {
  const pending = pendingTabs(ctx);
  const labels = distinctLabels(openDatasets(ctx));
  const remembered: Record<string, RememberedPanel> = {};
  for (const p of pending) remembered[p.title] = { dir: p.dir, dataset: p.dataset };
  for (const v of ctx.views.all()) {
    if (v.mode !== 'review' || v.panel.viewType !== REVIEW_PANEL_TYPE) continue;
    const title = `Review: ${labels.get(path.resolve(v.dataset.path)) ?? path.basename(v.dataset.path)} · ${v.session.plan.name}`;
    if (v.panel.title !== title) v.panel.title = title;
    remembered[title] = { dir: v.session.plan.dir, dataset: v.dataset.path };
  }
  const before = ctx.extension.workspaceState.get<unknown>(OPEN_PANELS_KEY);
  if (JSON.stringify(before) !== JSON.stringify(remembered)) void ctx.extension.workspaceState.update(OPEN_PANELS_KEY, remembered);
}

/**
 * Opens again the review panels that were open when the window went away but have no tab now: VS Code
 * saves a webview panel at shutdown only if its serializer is registered then, and after the extension
 * host has crashed (code-server does not start a new one) none is, so a reload drops the panel while
 * the custom editors come back. Panels closed by the user are no longer remembered (retitle), so they
 * stay closed.
 */
async function reopenLost(ctx: CuratorContext): Promise<void> {
  const tabs = new Set(reviewTabs().map((t) => t.label));
  for (const [title, { dir }] of rememberedPanels(ctx)) {
    if (tabs.has(title) || ctx.views.reviewsOf(dir).length || !fs.existsSync(path.join(dir, 'plan.json'))) continue;
    try {
      if (await openReview(ctx, dir, true)) ctx.log.info(`review of ${dir} opened again (its panel was not restored after the reload)`);
    } catch (e) {
      ctx.log.warn(`review of ${dir} not opened again: ${(e as Error).message}`);
    }
  }
}

export const reviewPanelFeature: Feature = {
  name: 'review panels',
  activate(ctx) {
    ctx.extension.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(REVIEW_PANEL_TYPE, {
        async deserializeWebviewPanel(panel) {
          const dir = rememberedPanels(ctx).get(panel.title)?.dir;
          if (!dir || !fs.existsSync(path.join(dir, 'plan.json')) || ctx.views.reviewsOf(dir).length) {
            panel.dispose();
            return;
          }
          try {
            const session = await openSpotCheckSession(ctx.datasets, dir, ctx.settings.reviewer);
            if (session && !ctx.views.reviewsOf(dir).length) attach(ctx, panel, session);
            else {
              session?.dispose(); // cancelled, or opened elsewhere while its dataset was indexed
              panel.dispose();
            }
          } catch (e) {
            ctx.log.warn(`review of ${dir} not restored: ${(e as Error).message}`);
            panel.dispose();
          }
        },
      }),
      // A restored tab closed before it was shown is forgotten; a dataset of the same name opened or
      // closed in browse changes the titles.
      vscode.window.tabGroups.onDidChangeTabs((e) => {
        if (e.closed.length || e.opened.length) retitle(ctx);
      }),
      ctx.views.onDidChange(() => retitle(ctx)),
    );
    void reopenLost(ctx);
  },
};
