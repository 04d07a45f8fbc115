/**
 * The curator's settings (package.json "contributes.configuration"), read in one place
 * (ARCHITECTURE.md › Extension host). Folder-valued settings resolve through the core rule shared
 * with the language server (src/core/imageRoot.ts). The `Settings` object owns the one setting
 * that changes what a view writes — the reviewer — and tells views when it changes.
 */
import { osUserName } from '../core/osUser';
import * as vscode from 'vscode';
import { resolveCurationFolder, resolveImageRoot } from '../core/imageRoot';

export const SECTION = 'curator';

function config(scope?: vscode.Uri): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION, scope);
}

/** Reviewer name for verdict journals: the setting, else the OS user. */
export function reviewerName(): string {
  const v = config().get<string>('reviewer', '').trim();
  if (v) return v;
  return osUserName('reviewer');
}

function workspaceFolderFor(datasetPath: string): string | undefined {
  return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(datasetPath))?.uri.fsPath;
}

/** Image root for a dataset (src/core/imageRoot.ts: the setting against the workspace folder, else the dataset's folder). */
export function imageRootFor(datasetPath: string): string {
  return resolveImageRoot(config(vscode.Uri.file(datasetPath)).get<string>('imageRoot', ''), datasetPath, workspaceFolderFor(datasetPath));
}

/** Curation folder for a dataset (src/core/imageRoot.ts: the setting, else `.curator/` beside it). */
export function curationFolder(datasetPath: string): string {
  return resolveCurationFolder(config(vscode.Uri.file(datasetPath)).get<string>('curationFolder', ''), datasetPath, workspaceFolderFor(datasetPath));
}

export function defaultSpotCheckSize(): number {
  const n = config().get<number>('spotCheck.defaultSize', 250);
  return Number.isInteger(n) && n > 0 ? n : 250;
}

export function suggestOpenWith(): boolean {
  return config().get<boolean>('suggestOpenWithCurator', true);
}

/**
 * How long marking waits, at most, for a window's settings to arrive (code-server after a reload).
 * A timer on purpose (ARCHITECTURE.md › Extension host, Settings): VS Code has no "configuration
 * loaded" event, and with no reviewer set anywhere and no late settings, no event would ever come.
 */
const SETTINGS_GRACE_MS = 3000;

/**
 * Settings with a lifecycle, created once at activation before any view: it follows
 * `curator.reviewer` from then on (no event can be missed by a view that opens later) and knows
 * when the window's configuration has loaded. In code-server, user settings can reach a reloaded
 * extension host after a restored editor opened; a view asks `reviewer` when it opens and
 * listens to `onDidChangeReviewer`; marking awaits `loaded` so no verdict goes to a journal
 * named after a reviewer that was only the default.
 */
export class Settings implements vscode.Disposable {
  private current = reviewerName();
  private readonly changed = new vscode.EventEmitter<string>();
  /** Fires with the new reviewer name when `curator.reviewer` changes. */
  readonly onDidChangeReviewer = this.changed.event;
  private readonly subs: vscode.Disposable[] = [];
  private markLoaded!: () => void;
  /** Resolves once the configuration has loaded: a reviewer is set explicitly, a configuration change arrived, or the grace period passed. */
  readonly loaded = new Promise<void>((r) => {
    this.markLoaded = r;
  });
  private readonly grace: NodeJS.Timeout;

  constructor() {
    // Any configuration event means settings arrived; the reviewer may have come with them even
    // when the event does not name it.
    this.subs.push(
      vscode.workspace.onDidChangeConfiguration(() => {
        this.markLoaded();
        this.check();
      }),
    );
    const r = config().inspect<string>('reviewer');
    if (r && [r.globalValue, r.workspaceValue, r.workspaceFolderValue].some((v) => typeof v === 'string' && v.trim())) this.markLoaded();
    this.grace = setTimeout(() => {
      this.markLoaded();
      this.check();
    }, SETTINGS_GRACE_MS);
  }

  /** The reviewer whose journal views write. */
  get reviewer(): string {
    return this.current;
  }

  private check(): void {
    const now = reviewerName();
    if (now === this.current) return;
    this.current = now;
    this.changed.fire(now);
  }

  dispose(): void {
    clearTimeout(this.grace);
    for (const s of this.subs) s.dispose();
    this.changed.dispose();
  }
}
