/**
 * The review-in-the-editor feature (issue #3): dataset and spot-check custom editors, the cursor
 * preview, "New Spot Check", the review keys, the Spot Checks tree and the status bar item.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { KeyAction } from '../protocol';
import type { CuratorPanel, PanelServices } from './curatorPanel';
import { DatasetCache } from './datasetCache';
import { DATASET_VIEW_TYPE, DatasetEditorProvider, SPOTCHECK_VIEW_TYPE, SpotCheckEditorProvider } from './datasetEditor';
import { DatasetSuggestion } from './datasetSuggestion';
import type { Feature } from './features';
import { newSpotCheck, type NewSpotCheckArgs } from './newSpotCheck';
import { PanelRegistry } from './panelRegistry';
import { curatorViews } from './ask/curatorViews';
import { CursorPreview } from './previewAtCursor';
import { SpotCheckStatusBar } from './spotCheckStatusBar';
import { SpotCheckTree, type SpotCheckNode } from './spotCheckTree';

/** Review and navigation keys: command id → what the webview does. Keybindings live in package.json. */
export const KEY_COMMANDS: Record<string, KeyAction> = {
  'curator.review.markCorrect': 'correct',
  'curator.review.markIncorrect': 'incorrect',
  'curator.review.skip': 'skip',
  'curator.review.note': 'note',
  'curator.review.undo': 'undo',
  'curator.item.next': 'next',
  'curator.item.previous': 'prev',
  'curator.item.first': 'first',
  'curator.item.last': 'last',
  'curator.item.enlarge': 'enlarge',
  'curator.item.goTo': 'find',
};

function uriArg(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string') return vscode.Uri.file(arg);
  return undefined;
}

export const curatorEditorFeature: Feature = {
  name: 'curator editor',
  activate(context) {
    const log = vscode.window.createOutputChannel('Curator', { log: true });
    const cache = new DatasetCache();
    const registry = new PanelRegistry();
    curatorViews.registry = registry; // the model-answers feature (ask/askFeature.ts) reaches the active view through it
    const tree = new SpotCheckTree();
    const status = new SpotCheckStatusBar(registry);
    const panels = new Set<CuratorPanel>();
    const services: PanelServices = {
      extensionUri: context.extensionUri,
      registry,
      verdictsChanged: () => tree.refreshSoon(),
      log: (m) => log.error(m),
    };
    const opened = (p: CuratorPanel) => {
      panels.add(p);
      p.onDidDispose(() => { panels.delete(p); status.forget(p); });
    };
    const preview = new CursorPreview(services);
    context.subscriptions.push(log, { dispose: () => cache.dispose() }, registry, tree, status, preview, new DatasetSuggestion(context.workspaceState));

    const editorOptions = { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: false };
    context.subscriptions.push(
      vscode.window.registerCustomEditorProvider(DATASET_VIEW_TYPE, new DatasetEditorProvider(services, cache, opened), editorOptions),
      vscode.window.registerCustomEditorProvider(SPOTCHECK_VIEW_TYPE, new SpotCheckEditorProvider(services, cache, opened), editorOptions),
      vscode.window.registerTreeDataProvider('curator.spotChecks', tree),
    );

    /** The dataset a command is about: its argument, the active curator editor, the active text editor, or a file picker. */
    const pickDataset = async (arg: unknown): Promise<string | undefined> => {
      const u = uriArg(arg);
      if (u) return u.fsPath;
      const active = registry.active as CuratorPanel | undefined;
      if (active) return active.dataset.path;
      const doc = vscode.window.activeTextEditor?.document;
      if (doc && doc.uri.scheme === 'file' && /\.jsonl?$/i.test(doc.uri.fsPath)) return doc.uri.fsPath;
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Datasets': ['json', 'jsonl'] }, title: 'Open a dataset with the Curator' });
      return picked?.[0]?.fsPath;
    };

    const reg = (id: string, fn: (...args: unknown[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));

    reg('curator.openDataset', async (arg) => {
      const file = await pickDataset(arg);
      if (file) await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), DATASET_VIEW_TYPE);
    });
    reg('curator.newSpotCheck', async (arg) => {
      const opts = (arg && typeof arg === 'object' && !(arg instanceof vscode.Uri) ? arg : {}) as NewSpotCheckArgs;
      const file = opts.dataset ?? (await pickDataset(arg instanceof vscode.Uri ? arg : undefined));
      if (!file) return undefined;
      try {
        const dir = await newSpotCheck(cache, file, opts);
        tree.refreshSoon();
        return dir;
      } catch (e) {
        void vscode.window.showErrorMessage(`Curator: ${(e as Error).message}`);
        return undefined;
      }
    });
    reg('curator.openSpotCheck', async (arg) => {
      let dir: string | undefined;
      if (arg && typeof arg === 'object' && 'dir' in arg) dir = (arg as SpotCheckNode).dir;
      else if (typeof arg === 'string') dir = arg;
      else if (arg instanceof vscode.Uri) dir = path.basename(arg.fsPath) === 'plan.json' ? path.dirname(arg.fsPath) : arg.fsPath;
      if (!dir) {
        const found = await vscode.workspace.findFiles('**/spotchecks/*/plan.json', '**/node_modules/**', 200);
        const pick = await vscode.window.showQuickPick(found.map((f) => ({ label: path.basename(path.dirname(f.fsPath)), description: vscode.workspace.asRelativePath(f), dir: path.dirname(f.fsPath) })), { title: 'Open Spot Check' });
        dir = pick?.dir;
      }
      if (dir) await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(path.join(dir, 'plan.json')), SPOTCHECK_VIEW_TYPE);
    });
    // The language server's CodeLens "Preview · Review" above each record: {uri, index, key}.
    const itemArg = (arg: unknown): { uri: vscode.Uri; index: number } | undefined => {
      const a = arg as { uri?: string; index?: number } | undefined;
      return a && typeof a.uri === 'string' && typeof a.index === 'number' ? { uri: vscode.Uri.parse(a.uri), index: a.index } : undefined;
    };
    reg('curator.previewItem', async (arg) => {
      const a = itemArg(arg);
      if (!a) return;
      const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === a.uri.toString()) ?? (await vscode.window.showTextDocument(a.uri, { preview: false }));
      preview.open(editor, a.index);
    });
    reg('curator.reviewItem', async (arg) => {
      const a = itemArg(arg);
      if (!a) return;
      await vscode.commands.executeCommand('vscode.openWith', a.uri, DATASET_VIEW_TYPE);
      const p = [...panels].find((x) => x.mode === 'browse' && x.dataset.path === a.uri.fsPath);
      p?.reveal(a.index);
    });
    reg('curator.refreshSpotChecks', () => tree.refresh());
    reg('curator.focusSpotCheck', () => status.panel?.panel.reveal());
    reg('curator.previewItemAtCursor', () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) { void vscode.window.showInformationMessage('Curator: open a dataset in a text editor first.'); return; }
      preview.open(editor);
    });
    for (const [id, action] of Object.entries(KEY_COMMANDS)) {
      reg(id, () => {
        const p = registry.active as CuratorPanel | undefined;
        if (p) p.key(action);
      });
    }
    // `npm start` asks for the demo dataset to open in the curator.
    const openOnStart = process.env.COCURATE_OPEN_DATASET;
    if (openOnStart && vscode.workspace.getWorkspaceFolder(vscode.Uri.file(openOnStart))) {
      setTimeout(() => { void vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(openOnStart), DATASET_VIEW_TYPE); }, 500);
    }
    reg('curator.internal.spotCheckNodes', () => tree.getChildren());
    reg('curator.internal.previewIndex', () => preview.shownIndex);
    /** For tests and other features: the state of the active curator view. */
    reg('curator.internal.activeView', () => {
      const p = registry.active as CuratorPanel | undefined;
      if (!p) return undefined;
      return { ready: p.ready, mode: p.mode, readOnly: p.readOnly, focus: p.focus, position: p.position, dataset: p.dataset.path, spotCheck: p.session?.plan.dir, journal: p.session?.journalFile, progress: p.session?.progress() };
    });
  },
};
