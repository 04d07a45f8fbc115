/**
 * Reviews open in a titled webview panel (ARCHITECTURE.md › Extension host): a custom-editor tab
 * always shows its file's name — every review would read "plan.json" — so the commands open a
 * review as a WebviewPanel titled "Review: <dataset> · <spot check>", with the dataset's parent
 * folders added when two open datasets share a file name (as VS Code's own tab labels do).
 * Opening plan.json itself still uses the "curator.spotCheck" custom editor. Panels come back after a
 * window reload (a serializer finds the spot check by the restored title).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SpotCheckSession } from '../core/spotCheckSession';
import { distinctLabels } from '../core/tabLabels';
import type { CuratorContext } from './context';
import type { CommandId } from './commandIds';
import type { CommandFactory } from './commands';
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
export async function openReview(ctx: CuratorContext, dir: string): Promise<ReviewView> {
  const open = ctx.views.reviewsOf(dir)[0];
  if (open) {
    open.panel.reveal();
    return open;
  }
  const session = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `Curator: opening spot check ${path.basename(dir)}` },
    async () => {
      await new Promise((r) => setTimeout(r, 0));
      return new SpotCheckSession(dir, ctx.settings.reviewer, ctx.datasets);
    },
  );
  const panel = vscode.window.createWebviewPanel(REVIEW_PANEL_TYPE, 'Review', vscode.ViewColumn.Active, { enableFindWidget: true });
  return attach(ctx, panel, session);
}

function attach(ctx: CuratorContext, panel: vscode.WebviewPanel, session: SpotCheckSession): ReviewView {
  panel.title = reviewTitle(
    session.ds.path,
    session.plan.name,
    ctx.views.all().map((v) => v.dataset.path),
  );
  const view = new ReviewView(ctx, panel, session); // lives until the panel closes (it disposes itself)
  retitle(ctx);
  panel.onDidDispose(() => setTimeout(() => retitle(ctx), 0));
  return view;
}

/** Gives every review panel its title again (a dataset of the same name opened or closed) and remembers them for a reload. */
function retitle(ctx: CuratorContext): void {
  const views = ctx.views.all();
  const labels = distinctLabels(views.map((v) => v.dataset.path));
  const remembered: Record<string, string> = {};
  for (const v of views) {
    if (v.mode !== 'review' || v.panel.viewType !== REVIEW_PANEL_TYPE) continue;
    const title = `Review: ${labels.get(path.resolve(v.dataset.path)) ?? path.basename(v.dataset.path)} · ${v.session.plan.name}`;
    if (v.panel.title !== title) v.panel.title = title;
    remembered[title] = v.session.plan.dir;
  }
  void ctx.extension.workspaceState.update(OPEN_PANELS_KEY, remembered);
}

export const reviewPanelFeature: Feature = {
  name: 'review panels',
  activate(ctx) {
    ctx.extension.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(REVIEW_PANEL_TYPE, {
        async deserializeWebviewPanel(panel) {
          const dir = ctx.extension.workspaceState.get<Record<string, string>>(OPEN_PANELS_KEY, {})[panel.title];
          if (!dir || !fs.existsSync(path.join(dir, 'plan.json')) || ctx.views.reviewsOf(dir).length) {
            panel.dispose();
            return;
          }
          try {
            attach(ctx, panel, new SpotCheckSession(dir, ctx.settings.reviewer, ctx.datasets));
          } catch (e) {
            ctx.log.warn(`review of ${dir} not restored: ${(e as Error).message}`);
            panel.dispose();
          }
        },
      }),
    );
  },
};
