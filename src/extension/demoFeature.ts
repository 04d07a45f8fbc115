/**
 * "Curator: Open Demo Dataset" (the walkthrough's first step): copies the demo shipped inside the
 * extension (demo/: 33 Co-Instruct-style records and their images) into the extension's global
 * storage, which is writable (spot checks go to .curator/ beside the dataset), and opens it in the
 * curator. An existing copy is reused, so verdicts made on the demo survive. A factory listed in
 * ./commands.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CommandFactory } from './commands';

export const openDemo: CommandFactory = (ctx) => async () => {
  const context = ctx.extension;
  const source = path.join(context.extensionPath, 'demo');
  const target = path.join(context.globalStorageUri.fsPath, 'demo');
  const dataset = path.join(target, 'coinstruct-demo.json');
  try {
    if (!fs.existsSync(dataset)) {
      fs.mkdirSync(target, { recursive: true });
      fs.cpSync(source, target, { recursive: true, filter: (f) => path.basename(f) !== '.curator' });
    }
  } catch (e) {
    void vscode.window.showErrorMessage(
      `Curator: could not copy the demo dataset from ${source} to ${target}: ${(e as Error).message}. Check that this folder is writable.`,
    );
    return undefined;
  }
  await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(dataset), 'curator.dataset');
  return dataset;
};
