/**
 * The review-in-the-editor feature (issue #3): dataset and spot-check custom editors, the cursor
 * preview, "New Spot Check", the review keys, the Spot Checks tree and the status bar item. The
 * commands are factories listed in ./commands.ts; the views are in ./views/.
 */
import * as vscode from 'vscode';
import { KEY_COMMANDS, type KeyCommandId } from './commandIds';
import type { CommandFactory } from './commands';
import { planDirsFromArg, type CuratorContext } from './context';
import { OPEN_REVIEW_COMMAND } from './reviewPanel';
import { DATASET_VIEW_TYPE, DatasetEditorProvider, SPOTCHECK_VIEW_TYPE, SpotCheckEditorProvider } from './datasetEditor';
import { DatasetSuggestion } from './datasetSuggestion';
import type { Feature } from './features';
import { LargeFileDoor, largeDatasetTab, openInCurator } from './largeFileDoor';
import { newHunt, type NewHuntArgs } from './newHunt';
import { newSpotCheck, type NewSpotCheckArgs } from './newSpotCheck';
import type { BrowseFilter } from '../protocol';

/** The language server's CodeLens "Preview · Review" above each record: {uri, index, key}. */
function itemArg(arg: unknown): { uri: vscode.Uri; index: number } | undefined {
  const a = arg as { uri?: string; index?: number } | undefined;
  return a && typeof a.uri === 'string' && typeof a.index === 'number' ? { uri: vscode.Uri.parse(a.uri), index: a.index } : undefined;
}

export const openDataset: CommandFactory = (ctx) => async (arg?: unknown) => {
  // From VS Code's large-file page (no text editor): that file, in place of its tab.
  const large = arg === undefined ? largeDatasetTab() : undefined;
  if (large) return openInCurator(large.uri);
  const file = await ctx.pickDataset(arg, 'Open a dataset with the Curator');
  if (file) await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), DATASET_VIEW_TYPE);
};

export const newSpotCheckCommand: CommandFactory = (ctx) => async (arg?: unknown) => {
  const opts = (arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? arg : {}) as NewSpotCheckArgs;
  const file = opts.dataset ?? (await ctx.pickDataset(arg instanceof vscode.Uri ? arg : undefined, 'Open a dataset with the Curator'));
  if (!file) return undefined;
  try {
    const dir = await newSpotCheck(ctx.datasets, file, opts);
    ctx.spotChecks.refreshSoon();
    return dir;
  } catch (e) {
    void vscode.window.showErrorMessage(`Curator: ${(e as Error).message}`);
    return undefined;
  }
};

export const newHuntCommand: CommandFactory = (ctx) => async (arg?: unknown) => {
  const opts = (arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? arg : {}) as NewHuntArgs;
  const file = opts.dataset ?? (await ctx.pickDataset(arg instanceof vscode.Uri ? arg : undefined, 'Hunt for wrong labels in a dataset'));
  if (!file) return undefined;
  try {
    const dir = await newHunt(ctx.datasets, file, opts);
    ctx.spotChecks.refreshSoon();
    return dir;
  } catch (e) {
    void vscode.window.showErrorMessage(`Curator: ${(e as Error).message}`);
    return undefined;
  }
};

/** Opens a spot check for review; resolves once its panel is open. */
export async function openSpotCheckEditor(dir: string): Promise<void> {
  await vscode.commands.executeCommand(OPEN_REVIEW_COMMAND, dir); // a titled panel, not a "plan.json" tab (reviewPanel.ts)
}

export const openSpotCheck: CommandFactory = (ctx) => async (arg?: unknown) => {
  const dir = planDirsFromArg(arg)[0] ?? (await ctx.pickPlanDir(undefined, 'Open Spot Check'));
  if (dir) await openSpotCheckEditor(dir);
};

export const previewItem: CommandFactory = (ctx) => async (arg?: unknown) => {
  const a = itemArg(arg);
  if (!a) return;
  const editor =
    vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === a.uri.toString()) ??
    (await vscode.window.showTextDocument(a.uri, { preview: false }));
  ctx.preview.open(editor, a.index);
};

export const reviewItem: CommandFactory = (ctx) => async (arg?: unknown) => {
  const a = itemArg(arg);
  if (!a) return;
  await vscode.commands.executeCommand('vscode.openWith', a.uri, DATASET_VIEW_TYPE);
  ctx.views.browseOf(a.uri.fsPath)?.reveal(a.index);
};

export const previewItemAtCursor: CommandFactory = (ctx) => () => {
  const editor = vscode.window.activeTextEditor;
  if (!editor) {
    void vscode.window.showInformationMessage('Curator: open a dataset in a text editor first.');
    return;
  }
  ctx.preview.open(editor);
};

export const refreshSpotChecks: CommandFactory = (ctx) => () => ctx.spotChecks.refresh();
export const focusSpotCheck: CommandFactory = (ctx) => () => ctx.statusBar.panel?.panel.reveal();

/** A review or navigation key: forwarded to the active view (a reason key's keybinding passes `{key}` as its args). */
export function keyCommand(id: KeyCommandId): CommandFactory {
  const action = KEY_COMMANDS[id];
  return (ctx) => (arg?: { key?: unknown }) => ctx.views.active?.key(action, typeof arg?.key === 'string' ? arg.key : undefined);
}

export const internalSpotCheckNodes: CommandFactory = (ctx) => () => ctx.spotChecks.getChildren();
export const internalPreviewIndex: CommandFactory = (ctx) => () => ctx.preview.shownIndex;
/** For tests: the state of the active curator view. */
export const internalActiveView: CommandFactory = (ctx) => () => activeViewState(ctx);

/** What `curator.internal.activeView` tells tests of the active curator view (undefined: none). */
export type ActiveViewState = NonNullable<ReturnType<typeof activeViewState>>;

function activeViewState(ctx: CuratorContext) {
  const v = ctx.views.active;
  if (!v) return undefined;
  const review = v.mode === 'review' ? v.session : undefined;
  return {
    ready: v.ready,
    mode: v.mode,
    readOnly: v.readOnly,
    focus: v.focus,
    position: v.position,
    dataset: v.dataset.path,
    indexing: v.mode === 'browse' ? v.isIndexing : undefined,
    count: v.dataset.count,
    spotCheck: review?.plan.dir,
    journal: review?.journalFile,
    progress: review?.progress(),
  };
}

/** For tests: a browse filter/sort in the active browse view (as its webview asks), with the first list positions' record indices. */
export const internalBrowseQuery: CommandFactory = (ctx) => async (filter: BrowseFilter) => {
  const v = ctx.views.active;
  if (v?.mode !== 'browse') return undefined;
  const r = await v.query(filter);
  return { ...r, first: v.firstMatches(r.filterId, 10) };
};

export const curatorEditorFeature: Feature = {
  name: 'curator editor',
  activate(ctx: CuratorContext) {
    const editorOptions = { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: false };
    ctx.extension.subscriptions.push(
      new DatasetSuggestion(ctx.extension.workspaceState),
      new LargeFileDoor(),
      vscode.window.registerCustomEditorProvider(DATASET_VIEW_TYPE, new DatasetEditorProvider(ctx), editorOptions),
      vscode.window.registerCustomEditorProvider(SPOTCHECK_VIEW_TYPE, new SpotCheckEditorProvider(ctx), editorOptions),
      vscode.window.registerTreeDataProvider('curator.spotChecks', ctx.spotChecks),
    );
    // `npm start` asks for the demo dataset to open in the curator.
    const openOnStart = process.env.COCURATE_OPEN_DATASET;
    if (openOnStart && vscode.workspace.getWorkspaceFolder(vscode.Uri.file(openOnStart))) {
      setTimeout(() => {
        void vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(openOnStart), DATASET_VIEW_TYPE);
      }, 500);
    }
  },
};
