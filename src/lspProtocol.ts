/**
 * The language server's own messages beyond LSP (ARCHITECTURE.md › Protocols), typed once and
 * imported by the server (src/server), the extension's client (src/extension/languageClient.ts)
 * and the tests' LSP client (test/server/lspClient.ts), after vscode-eslint's shared messages.
 * Plain method names and parameter types, no imports: the client and the server each bundle their
 * own copy of vscode-jsonrpc, whose NotificationType classes do not mix.
 */

/** Client → server: the cursor moved in a dataset (in long files CodeLens follows the cursor's record). */
export interface CursorParams {
  uri: string;
  line: number;
}
export const CURSOR_NOTIFICATION = 'curator/cursor';

/** Above this many lines, CodeLens shows only at the cursor's record (`curator.lsp.codeLensLineLimit`'s default). */
export const CURSOR_LINES = 5000;

/** Server → client, after every validation pass of a document. */
export interface ValidationStats {
  uri: string;
  version: number;
  /** Whether the document was treated as a dataset. */
  dataset: boolean;
  format: string;
  records: number;
  /** Records parsed and checked in this pass. */
  checked: number;
  /** Records whose earlier result was reused (text unchanged). */
  reused: number;
  diagnostics: number;
  millis: number;
}
export const VALIDATED_NOTIFICATION = 'curator/validated';
