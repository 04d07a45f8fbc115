/**
 * Server settings. Come from the client's initializationOptions (any editor) and, when the client
 * supports it, from the `curator` configuration section (VS Code settings).
 */
import { CURSOR_LINES } from '../lspProtocol';
import { resolveCurationFolder, resolveImageRoot } from '../core/imageRoot';

export interface ServerSettings {
  /** Image root: absolute, or relative to the workspace folder (the dataset's folder without one). Empty: the dataset's folder. */
  imageRoot: string;
  /** Check that image files exist (lexical checks always run). */
  checkImages: boolean;
  /** Globs of files validated even when their records match no known format. */
  include: string[];
  /** Milliseconds to wait after the last edit before revalidating. */
  debounceMs: number;
  /** Curation folder (spot checks): absolute, or relative to the workspace folder. Empty: `.curator/` beside the dataset. */
  curationFolder: string;
  /** Files with more lines than this show CodeLens only at the cursor's record. */
  codeLensLineLimit: number;
}

export const DEFAULT_SETTINGS: ServerSettings = {
  imageRoot: '',
  checkImages: true,
  include: [],
  debounceMs: 200,
  curationFolder: '',
  codeLensLineLimit: CURSOR_LINES,
};

/** Merges loosely typed input (initializationOptions or a configuration section) into settings. */
export function mergeSettings(base: ServerSettings, input: unknown): ServerSettings {
  if (!input || typeof input !== 'object') return base;
  const src = input as Record<string, unknown>;
  const lsp = (src.lsp && typeof src.lsp === 'object' ? src.lsp : {}) as Record<string, unknown>;
  const pick = (k: string): unknown => (lsp[k] !== undefined ? lsp[k] : src[k]);
  const out = { ...base };
  const str = (k: keyof ServerSettings): void => {
    const v = pick(k);
    if (typeof v === 'string') (out as Record<string, unknown>)[k] = v;
  };
  const num = (k: keyof ServerSettings): void => {
    const v = pick(k);
    if (typeof v === 'number' && Number.isFinite(v) && v >= 0) (out as Record<string, unknown>)[k] = v;
  };
  str('imageRoot');
  str('curationFolder');
  num('debounceMs');
  num('codeLensLineLimit');
  const ci = pick('checkImages');
  if (typeof ci === 'boolean') out.checkImages = ci;
  const inc = pick('include');
  if (Array.isArray(inc)) out.include = inc.filter((x): x is string => typeof x === 'string');
  return out;
}

export { workspaceFolderOf } from '../core/imageRoot';

/** The image root for a dataset file (one rule with the extension: src/core/imageRoot.ts). */
export function imageRootFor(settings: ServerSettings, datasetPath: string, workspaceRoot?: string): string {
  return resolveImageRoot(settings.imageRoot, datasetPath, workspaceRoot);
}

/** The curation folder (holding spotchecks/) for a dataset file. */
export function curationFolderFor(settings: ServerSettings, datasetPath: string, workspaceRoot?: string): string {
  return resolveCurationFolder(settings.curationFolder, datasetPath, workspaceRoot);
}
