/**
 * Offers "Open with Curator" when a text editor shows a .json/.jsonl file that the core detects as
 * a dataset (from its first records), once per file; sets `curator.isDataset` for the editor title.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { Dataset } from '../core/dataset';
import { openRegularFile } from '../core/regularFile';
import { suggestOpenWith } from './settings';

const HEAD = 1 << 18;

/** Format of the dataset in `file` judged from its first 256 KiB, or undefined when it is not one. */
export function sniffDatasetFile(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openRegularFile(file).fd; // a FIFO or a device would block or never end
    const buf = Buffer.alloc(HEAD);
    const n = fs.readSync(fd, buf, 0, HEAD, 0);
    const ds = Dataset.fromText(buf.subarray(0, n), file);
    return ds.count > 0 && ds.format !== 'unknown' ? ds.format : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export class DatasetSuggestion implements vscode.Disposable {
  private readonly asked = new Set<string>();
  private readonly sub: vscode.Disposable;

  constructor(private readonly state: vscode.Memento) {
    this.sub = vscode.window.onDidChangeActiveTextEditor((e) => this.check(e));
    this.check(vscode.window.activeTextEditor);
  }

  private check(editor: vscode.TextEditor | undefined): void {
    const uri = editor?.document.uri;
    if (!uri || uri.scheme !== 'file' || !/\.jsonl?$/i.test(uri.fsPath) || /[\\/]\.curator[\\/]/.test(uri.fsPath)) {
      void vscode.commands.executeCommand('setContext', 'curator.isDataset', false);
      return;
    }
    const format = sniffDatasetFile(uri.fsPath);
    void vscode.commands.executeCommand('setContext', 'curator.isDataset', !!format);
    if (!format || !suggestOpenWith()) return;
    const key = `curator.suggested:${uri.fsPath}`;
    if (this.asked.has(key) || this.state.get<boolean>(key)) return;
    this.asked.add(key);
    void this.state.update(key, true);
    void vscode.window
      .showInformationMessage(`This looks like a ${format} dataset. Open it with the Curator to see its image groups?`, 'Open with Curator', 'Not now')
      .then((choice) => {
        if (choice === 'Open with Curator') void vscode.commands.executeCommand('vscode.openWith', uri, 'curator.dataset');
      });
  }

  dispose(): void {
    this.sub.dispose();
  }
}
