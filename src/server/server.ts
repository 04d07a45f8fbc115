/**
 * The Co-Instruct Curator language server: diagnostics, hovers, symbols, go-to-definition on image
 * paths, CodeLens and quick fixes for JSON / JSONL dataset files. Transport-agnostic: main.ts (IPC
 * or stdio, started by the extension) and `cocurate lsp --stdio` hand it a connection.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  CodeLensRefreshRequest,
  TextDocumentSyncKind,
  TextDocuments,
  type CodeAction,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { recordId } from '../core/formats/normalize';
import { recordHash } from '../core/hash';
import { itemKey } from '../core/itemKey';
import { codeActions, convertFileEdit, type ActionData } from './codeActions';
import { codeLenses } from './codeLens';
import { DatasetModels, type DatasetModel } from './datasetModel';
import { DiagnosticsRunner } from './diagnostics';
import { provideHover } from './hover';
import { imageAt } from './imageAt';
import { CURSOR_NOTIFICATION, type CursorParams } from '../lspProtocol';
import { curationFolderFor, DEFAULT_SETTINGS, imageRootFor, mergeSettings, workspaceFolderOf, type ServerSettings } from './settings';
import { SpotcheckVerdicts } from './spotcheckVerdicts';
import { documentSymbols } from './symbols';

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const models = new DatasetModels();
  const verdicts = new SpotcheckVerdicts();
  const cursors = new Map<string, number>();
  let initSettings: ServerSettings = DEFAULT_SETTINGS;
  let settings: ServerSettings = DEFAULT_SETTINGS;
  let workspaceFolders: string[] = [];
  let pullConfiguration = false;
  let lazyEdits = false;
  let codeLensRefresh = false;

  const runner = new DiagnosticsRunner(
    connection,
    models,
    () => settings,
    (file) => workspaceFolderOf(file, workspaceFolders),
  );

  connection.onInitialize((params): InitializeResult => {
    initSettings = mergeSettings(DEFAULT_SETTINGS, params.initializationOptions);
    settings = initSettings;
    const folders = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    workspaceFolders = folders.filter((u) => u.startsWith('file:')).map((u) => fileURLToPath(u));
    const caps = params.capabilities;
    pullConfiguration = !!caps.workspace?.configuration;
    lazyEdits = !!caps.textDocument?.codeAction?.resolveSupport?.properties.includes('edit');
    codeLensRefresh = !!caps.workspace?.codeLens?.refreshSupport;
    runner.workDoneProgress = !!caps.window?.workDoneProgress;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        hoverProvider: true,
        documentSymbolProvider: { label: 'Dataset records' },
        definitionProvider: true,
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite], resolveProvider: true },
      },
      serverInfo: { name: 'cocurate-lsp', version: process.env.COCURATE_VERSION ?? '0.1.0' },
    };
  });

  const loadConfiguration = async (): Promise<void> => {
    if (!pullConfiguration) return;
    try {
      const section = await connection.workspace.getConfiguration('curator');
      settings = mergeSettings(initSettings, section);
    } catch {
      settings = initSettings;
    }
  };

  connection.onInitialized(async () => {
    await loadConfiguration();
    runner.revalidate(documents.all());
  });

  connection.onDidChangeConfiguration(async (change) => {
    if (pullConfiguration) await loadConfiguration();
    else settings = mergeSettings(initSettings, (change.settings as { curator?: unknown } | undefined)?.curator ?? change.settings);
    runner.revalidate(documents.all());
  });

  // TextDocuments fires onDidOpen then onDidChangeContent for an opened document: validate once, now.
  const justOpened = new Set<string>();
  documents.onDidOpen((e) => {
    justOpened.add(e.document.uri);
    runner.opened(e.document);
  });
  documents.onDidChangeContent((e) => {
    if (justOpened.delete(e.document.uri)) return;
    runner.changed(e.document);
  });
  documents.onDidSave((e) => runner.saved(e.document));
  documents.onDidClose((e) => {
    cursors.delete(e.document.uri);
    models.delete(e.document.uri);
    runner.closed(e.document.uri);
  });

  /** The dataset model of an open document, or undefined when it is not a dataset. */
  const datasetOf = (uri: string): DatasetModel | undefined => {
    const doc = documents.get(uri);
    if (!doc) return undefined;
    const model = models.get(doc);
    return runner.isDataset(model) ? model : undefined;
  };
  const rootFor = (model: DatasetModel): string => imageRootFor(settings, model.fileName, workspaceFolderOf(model.fileName, workspaceFolders));
  const keyOf = (model: DatasetModel) => {
    const checks = runner.checksFor(model.doc);
    let counts: Map<string, number> | undefined;
    return (i: number): string => {
      const id = checks?.[i]?.id ?? recordId(model.parse(i), model.mapping);
      if (id === undefined || !checks) return itemKey(i, id, true);
      counts ??= countIds(checks.map((c) => c.id));
      return itemKey(i, id, (counts.get(id) ?? 0) <= 1);
    };
  };

  connection.onHover(async (p) => {
    const model = datasetOf(p.textDocument.uri);
    if (!model) return null;
    return provideHover(model, model.doc.offsetAt(p.position), {
      imageRoot: rootFor(model),
      verdicts: () => verdicts.forDataset(model.fileName, curationFolderFor(settings, model.fileName, workspaceFolderOf(model.fileName, workspaceFolders))),
      keyOf: keyOf(model),
      hashOf: (i) => recordHash(model.raw(i)),
    });
  });

  connection.onDefinition((p) => {
    const model = datasetOf(p.textDocument.uri);
    if (!model) return null;
    const img = imageAt(model, model.doc.offsetAt(p.position), rootFor(model));
    if (!img || !img.resolved.ok) return null;
    const zero = { line: 0, character: 0 };
    return [
      {
        originSelectionRange: { start: model.doc.positionAt(img.start), end: model.doc.positionAt(img.end) },
        targetUri: pathToFileURL(img.resolved.abs).href,
        targetRange: { start: zero, end: zero },
        targetSelectionRange: { start: zero, end: zero },
      },
    ];
  });

  connection.onDocumentSymbol((p) => {
    const model = datasetOf(p.textDocument.uri);
    if (!model) return null;
    return documentSymbols(model, runner.checksFor(model.doc));
  });

  connection.onCodeLens((p) => {
    const model = datasetOf(p.textDocument.uri);
    if (!model) return null;
    return codeLenses(model, keyOf(model), settings.codeLensLineLimit, cursors.get(p.textDocument.uri));
  });

  connection.onNotification(CURSOR_NOTIFICATION, (p: CursorParams) => {
    if (!p || typeof p.uri !== 'string' || typeof p.line !== 'number') return;
    const doc = documents.get(p.uri);
    if (!doc || doc.lineCount <= settings.codeLensLineLimit) return;
    const model = datasetOf(p.uri);
    if (!model) return;
    const before = cursors.get(p.uri) ?? 0;
    cursors.set(p.uri, p.line);
    // Refresh only when the cursor moved to another record.
    const rec = (line: number): number => model.recordAt(doc.offsetAt({ line, character: 0 }));
    if (rec(before) !== rec(p.line) && codeLensRefresh) void connection.sendRequest(CodeLensRefreshRequest.type);
  });

  connection.onCodeAction((p) => {
    const model = datasetOf(p.textDocument.uri);
    if (!model) return null;
    const doc = model.doc;
    const actions = codeActions(model, doc.offsetAt(p.range.start), doc.offsetAt(p.range.end), {
      diagnostics: p.context.diagnostics,
      checks: runner.checksFor(doc),
      lazyEdits,
    });
    const only = p.context.only;
    return only?.length ? actions.filter((a) => only.some((k) => a.kind === k || a.kind?.startsWith(`${k}.`))) : actions;
  });

  connection.onCodeActionResolve((action: CodeAction): CodeAction => {
    const data = action.data as ActionData | undefined;
    if (!data || data.kind !== 'convert-file') return action;
    const model = datasetOf(data.uri);
    if (!model) return action;
    return { ...action, edit: convertFileEdit(model, data.from, data.to) };
  });

  documents.listen(connection);
  connection.listen();
}

function countIds(ids: (string | undefined)[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const id of ids) if (id !== undefined) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}
