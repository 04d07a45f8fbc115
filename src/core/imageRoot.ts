/**
 * Where a dataset's folder-valued settings point (ARCHITECTURE.md › Core): the image root
 * (`curator.imageRoot`) and the curation folder (`curator.curationFolder`). One rule, used by the
 * extension host (src/extension/settings.ts) and the language server (src/server/settings.ts), so
 * review and diagnostics look for images in the same place:
 *   - empty: the default (the dataset's folder for images; `.curator/` beside it for curation);
 *   - `${workspaceFolder}` expands to the dataset's workspace folder;
 *   - a relative value is resolved against that workspace folder;
 *   - a file outside every workspace folder uses its own folder in place of a workspace folder.
 */
import * as path from 'node:path';
import { curationFolderFor } from './plan';

/** The workspace folder holding `file` (the longest match), or undefined when it is outside all of them. */
export function workspaceFolderOf(file: string, folders: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const f of folders) {
    const rel = path.relative(f, file);
    if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) {
      if (!best || f.length > best.length) best = f;
    }
  }
  return best;
}

/** Resolves a folder-valued setting for a dataset; undefined when the setting is empty. */
export function resolveFolderSetting(value: string | undefined, datasetPath: string, workspaceFolder?: string): string | undefined {
  const v = (value ?? '').trim();
  if (!v) return undefined;
  const base = workspaceFolder ?? path.dirname(path.resolve(datasetPath));
  return path.resolve(base, v.replace(/\$\{workspaceFolder\}/g, base));
}

/** The image root of a dataset: the setting resolved as above, else the dataset's folder. */
export function resolveImageRoot(setting: string | undefined, datasetPath: string, workspaceFolder?: string): string {
  return resolveFolderSetting(setting, datasetPath, workspaceFolder) ?? path.dirname(path.resolve(datasetPath));
}

/** The curation folder of a dataset: the setting resolved as above, else `.curator/` beside it. */
export function resolveCurationFolder(setting: string | undefined, datasetPath: string, workspaceFolder?: string): string {
  return resolveFolderSetting(setting, datasetPath, workspaceFolder) ?? curationFolderFor(datasetPath);
}
