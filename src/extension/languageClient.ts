/**
 * Starts the dataset language server (dist/server.js, over IPC) with vscode-languageclient for
 * JSON / JSONL documents that the core recognises as datasets, or that match `curator.lsp.include`.
 * Other JSON files (package.json, settings…) are never sent to it. Started on the first dataset
 * document; restarted when `curator.lsp.enabled` is toggled.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type Middleware, type ServerOptions } from 'vscode-languageclient/node';
import { sniffDataset } from '../core/datasetSniff';
import { matchesGlob } from '../core/glob';
import { CURSOR_LINES, CURSOR_NOTIFICATION, type CursorParams } from '../lspProtocol';
import { LENS_COMMANDS as LENS_COMMAND_IDS } from './commandIds';
import type { CuratorContext } from './context';
import type { Feature } from './features';

const LANGUAGES = ['json', 'jsonl'];
/** Commands the server's CodeLens runs (./commandIds.ts). */
const LENS_COMMANDS = new Set<string>(LENS_COMMAND_IDS);

class DatasetLanguageClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<void> | undefined;
  /** Documents sent to the server (decided once, when they open). */
  private readonly accepted = new Set<string>();
  private readonly decided = new Map<string, boolean>();
  private readonly subs: vscode.Disposable[] = [];
  private cursorTimer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: CuratorContext) {
    this.subs.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.consider(d)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        this.decided.delete(d.uri.toString());
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        // Which documents the server sees is decided when they open: start over so open ones are re-judged.
        if (e.affectsConfiguration('curator.lsp.enabled') || e.affectsConfiguration('curator.lsp.include')) void this.restart();
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => this.cursorMoved(e)),
    );
    for (const d of vscode.workspace.textDocuments) this.consider(d);
  }

  private enabled(): boolean {
    return vscode.workspace.getConfiguration('curator').get<boolean>('lsp.enabled', true);
  }

  /** Is this document a dataset the server should see? */
  isDataset(doc: vscode.TextDocument): boolean {
    const key = doc.uri.toString();
    const known = this.decided.get(key);
    if (known !== undefined) return known;
    let yes = false;
    if (LANGUAGES.includes(doc.languageId) && (doc.uri.scheme === 'file' || doc.uri.scheme === 'untitled') && !/[\\/]\.curator[\\/]/.test(doc.uri.fsPath)) {
      const include = vscode.workspace.getConfiguration('curator', doc.uri).get<string[]>('lsp.include', []);
      yes = matchesGlob(doc.uri.fsPath, include) || sniffDataset(doc.getText(), doc.fileName).dataset;
    }
    this.decided.set(key, yes);
    return yes;
  }

  private consider(doc: vscode.TextDocument): void {
    if (!this.client && !this.starting && this.enabled() && this.isDataset(doc)) this.starting = this.start();
  }

  private async start(): Promise<void> {
    const module = this.ctx.extension.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const middleware: Middleware = {
      didOpen: (doc, next) => {
        if (!this.isDataset(doc)) return Promise.resolve();
        this.accepted.add(doc.uri.toString());
        return next(doc);
      },
      didChange: (e, next) => (this.accepted.has(e.document.uri.toString()) ? next(e) : Promise.resolve()),
      didSave: (doc, next) => (this.accepted.has(doc.uri.toString()) ? next(doc) : Promise.resolve()),
      didClose: (doc, next) => (this.accepted.delete(doc.uri.toString()) ? next(doc) : Promise.resolve()),
      provideCodeLenses: async (doc, token, next) => {
        const lenses = await next(doc, token);
        if (!lenses?.length) return lenses;
        // Hide lenses whose command no feature has registered (rather than failing on click).
        const available = new Set(await vscode.commands.getCommands(true));
        return lenses.filter((l) => !l.command || !LENS_COMMANDS.has(l.command.command) || available.has(l.command.command));
      },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: LANGUAGES.flatMap((language) => [
        { language, scheme: 'file' },
        { language, scheme: 'untitled' },
      ]),
      synchronize: { configurationSection: 'curator' },
      initializationOptions: JSON.parse(JSON.stringify(vscode.workspace.getConfiguration('curator'))) as unknown,
      diagnosticCollectionName: 'curator',
      outputChannel: this.ctx.log,
      middleware,
    };
    const client = new LanguageClient('curator.lsp', 'Curator Language Server', serverOptions, clientOptions);
    this.client = client;
    try {
      await client.start();
    } finally {
      this.starting = undefined;
    }
  }

  private async restart(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.stop();
    this.accepted.clear();
    this.decided.clear();
    if (this.enabled()) for (const d of vscode.workspace.textDocuments) this.consider(d);
  }

  /** In long datasets the server shows CodeLens only at the cursor's record: tell it where that is. */
  private cursorMoved(e: vscode.TextEditorSelectionChangeEvent): void {
    const doc = e.textEditor.document;
    if (!this.client || doc.lineCount <= CURSOR_LINES || !this.accepted.has(doc.uri.toString())) return;
    if (this.cursorTimer) clearTimeout(this.cursorTimer);
    const line = e.selections[0]?.active.line ?? 0;
    this.cursorTimer = setTimeout(() => {
      void this.client?.sendNotification(CURSOR_NOTIFICATION, { uri: doc.uri.toString(), line } satisfies CursorParams);
    }, 150);
  }

  async stop(): Promise<void> {
    const c = this.client;
    this.client = undefined;
    if (c) await c.stop().catch(() => undefined);
  }

  dispose(): void {
    if (this.cursorTimer) clearTimeout(this.cursorTimer);
    for (const s of this.subs) s.dispose();
    void this.stop();
  }
}

export const languageClientFeature: Feature = {
  name: 'language server client',
  activate(ctx) {
    ctx.extension.subscriptions.push(new DatasetLanguageClient(ctx));
  },
};
