/** The curator's settings (package.json "contributes.configuration"), read in one place. */
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { curationFolderFor } from '../core/plan';

export const SECTION = 'curator';

function config(scope?: vscode.Uri): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION, scope);
}

/** Reviewer name for verdict journals: the setting, else the OS user. */
export function reviewerName(): string {
  const v = config().get<string>('reviewer', '').trim();
  if (v) return v;
  try { return os.userInfo().username || 'reviewer'; } catch { return process.env.USER ?? 'reviewer'; }
}

function resolveSetting(value: string, datasetPath: string): string {
  if (path.isAbsolute(value)) return value;
  const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(datasetPath));
  return path.resolve(folder ? folder.uri.fsPath : path.dirname(datasetPath), value);
}

/** Image root for a dataset: the setting (relative to the workspace folder), else the dataset's folder. */
export function imageRootFor(datasetPath: string): string {
  const v = config(vscode.Uri.file(datasetPath)).get<string>('imageRoot', '').trim();
  return v ? resolveSetting(v, datasetPath) : path.dirname(datasetPath);
}

/** Curation folder for a dataset: the setting (relative to the workspace folder), else `.curator/` beside it. */
export function curationFolder(datasetPath: string): string {
  const v = config(vscode.Uri.file(datasetPath)).get<string>('curationFolder', '').trim();
  return v ? resolveSetting(v, datasetPath) : curationFolderFor(datasetPath);
}

export function defaultSpotCheckSize(): number {
  const n = config().get<number>('spotCheck.defaultSize', 250);
  return Number.isInteger(n) && n > 0 ? n : 250;
}

export function suggestOpenWith(): boolean {
  return config().get<boolean>('suggestOpenWithCurator', true);
}
