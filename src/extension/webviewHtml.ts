/**
 * The curator webview's HTML: a strict Content-Security-Policy (nonce for the one script, no remote
 * sources, images only from the webview resource origin), the bundled script and stylesheet.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { escapeHtml } from '../core/htmlEscape';

export function nonce(): string {
  return randomBytes(18).toString('base64').replace(/[+/=]/g, '');
}

export function curatorHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string): string {
  const n = nonce();
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'dataset.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'curator.css'));
  const compareStyle = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'compare.css'));
  const csp = [
    "default-src 'none'",
    // data: carries images embedded in parquet datasets (src/extension/itemView.ts)
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `script-src 'nonce-${n}'`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style.toString()}">
<link rel="stylesheet" href="${compareStyle.toString()}">
<title>${escapeHtml(title)}</title>
</head>
<body>
<div id="app" data-state="loading">Loading…</div>
<script nonce="${n}" src="${script.toString()}"></script>
</body>
</html>`;
}
