/**
 * A real LSP client for tests: spawns the language server (dist/server.js, or `cocurate lsp
 * --stdio`) and talks JSON-RPC to it over stdio with vscode-jsonrpc (LSP types from the protocol).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { ClientCapabilities, Diagnostic, InitializeParams, PublishDiagnosticsParams, TextDocumentContentChangeEvent } from 'vscode-languageserver/node';

import { VALIDATED_NOTIFICATION, type ValidationStats } from '../../src/lspProtocol';

export const ROOT = path.resolve(__dirname, '..', '..', '..');

export type ValidatedStats = ValidationStats;

export const uriOf = (file: string): string => pathToFileURL(file).href;

export class TestClient {
  readonly connection: MessageConnection;
  readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  readonly validated: ValidatedStats[] = [];
  /** `$/progress` values received, in order (the server reports long validation passes). */
  readonly progress: { token: string | number; value: { kind: string; title?: string; message?: string; percentage?: number } }[] = [];
  private waiters: (() => void)[] = [];
  stderr = '';

  private constructor(readonly child: ChildProcess) {
    this.connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    child.stderr!.on('data', (d) => {
      this.stderr += d;
    });
    this.connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.diagnostics.set(p.uri, p);
      this.wake();
    });
    this.connection.onNotification(VALIDATED_NOTIFICATION, (p: ValidatedStats) => {
      this.validated.push(p);
      this.wake();
    });
    this.connection.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => null));
    this.connection.onRequest('workspace/codeLens/refresh', () => null);
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onNotification('$/progress', (p: TestClient['progress'][number]) => {
      this.progress.push(p);
      this.wake();
    });
    this.connection.listen();
  }

  /** Starts the server: `bundle` (dist/server.js --stdio) or `cli` (bin/cocurate.js lsp --stdio). */
  static async start(
    opts: { via?: 'bundle' | 'cli'; initializationOptions?: unknown; capabilities?: ClientCapabilities; rootDir?: string } = {},
  ): Promise<TestClient> {
    const args = opts.via === 'cli' ? [path.join(ROOT, 'bin', 'cocurate.js'), 'lsp', '--stdio'] : [path.join(ROOT, 'dist', 'server.js'), '--stdio'];
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const client = new TestClient(child);
    const init: InitializeParams = {
      processId: process.pid,
      rootUri: opts.rootDir ? uriOf(opts.rootDir) : null,
      capabilities: opts.capabilities ?? {
        textDocument: {
          hover: { contentFormat: ['markdown', 'plaintext'] },
          codeAction: {
            codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'refactor', 'refactor.rewrite'] } },
            resolveSupport: { properties: ['edit'] },
            dataSupport: true,
          },
          documentSymbol: { hierarchicalDocumentSymbolSupport: true },
          publishDiagnostics: { versionSupport: true },
        },
        window: { workDoneProgress: true },
      },
      initializationOptions: { debounceMs: 30, ...(opts.initializationOptions as object | undefined) },
      workspaceFolders: null,
    };
    await client.connection.sendRequest('initialize', init);
    await client.connection.sendNotification('initialized', {});
    return client;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when `test()` holds (re-checked on every notification); fails after `ms`. */
  async until<T>(test: () => T | undefined | false, what: string, ms = 15000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = test();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${this.stderr ? `\nserver stderr: ${this.stderr}` : ''}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** The diagnostics published for `uri` at `version`. */
  diagnosticsAt(uri: string, version: number, ms?: number): Promise<Diagnostic[]> {
    return this.until(
      () => {
        const p = this.diagnostics.get(uri);
        return p && p.version === version ? p.diagnostics : undefined;
      },
      `diagnostics of ${uri} v${version}`,
      ms,
    );
  }

  statsAt(uri: string, version: number, ms?: number): Promise<ValidatedStats> {
    return this.until(() => this.validated.find((s) => s.uri === uri && s.version === version), `validation of ${uri} v${version}`, ms);
  }

  open(uri: string, text: string, version = 1, languageId = uri.endsWith('.jsonl') ? 'jsonl' : 'json'): Promise<void> {
    return this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  change(uri: string, version: number, contentChanges: TextDocumentContentChangeEvent[]): Promise<void> {
    return this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges });
  }

  close(uri: string): Promise<void> {
    return this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification('exit');
    } catch {
      /* already gone */
    }
    await new Promise<void>((r) => {
      if (this.child.exitCode !== null) return r();
      const t = setTimeout(() => {
        this.child.kill();
        r();
      }, 3000);
      this.child.on('exit', () => {
        clearTimeout(t);
        r();
      });
    });
    this.connection.dispose();
  }
}

/** Applies LSP text edits to a text (edits must not overlap). */
export function applyEdits(
  text: string,
  edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[],
): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const off = (p: { line: number; character: number }): number =>
    p.line >= lineStarts.length
      ? text.length
      : Math.min(lineStarts[p.line] + p.character, p.line + 1 < lineStarts.length ? lineStarts[p.line + 1] - 1 : text.length);
  const sorted = [...edits].sort((a, b) => off(b.range.start) - off(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, off(e.range.start)) + e.newText + out.slice(off(e.range.end));
  return out;
}
