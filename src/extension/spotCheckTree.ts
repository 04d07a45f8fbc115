/**
 * The "Spot Checks" tree view: every plan under the workspace's curation folders, with this
 * reviewer's progress ("37 / 250") and counts; opening one starts the review.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readPlan } from '../core/plan';
import { spotCheckProgress, type SpotCheckProgress } from '../core/spotCheckProgress';
import { journalPath, readAllJournals, readJournal } from '../core/verdicts';
import { reviewerName } from './settings';

export interface SpotCheckNode {
  dir: string;
  name: string;
  dataset: string;
  progress?: SpotCheckProgress;
  reviewers: number;
  error?: string;
}

export function describeProgress(p: SpotCheckProgress): string {
  return `${p.judged} / ${p.size}`;
}

export function readSpotCheckNode(dir: string): SpotCheckNode {
  try {
    const plan = readPlan(dir);
    const latest = readJournal(journalPath(dir, reviewerName())).latest;
    return { dir, name: plan.name, dataset: plan.datasetAbs, progress: spotCheckProgress(plan, latest), reviewers: readAllJournals(dir).length };
  } catch (e) {
    return { dir, name: path.basename(dir), dataset: '', reviewers: 0, error: (e as Error).message };
  }
}

export class SpotCheckTree implements vscode.TreeDataProvider<SpotCheckNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SpotCheckNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly watcher: vscode.FileSystemWatcher;
  private timer: NodeJS.Timeout | undefined;

  constructor() {
    this.watcher = vscode.workspace.createFileSystemWatcher('**/spotchecks/*/{plan.json,verdicts-*.jsonl}');
    const later = () => this.refreshSoon();
    this.watcher.onDidCreate(later);
    this.watcher.onDidChange(later);
    this.watcher.onDidDelete(later);
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  refreshSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.refresh(), 150);
  }

  async getChildren(node?: SpotCheckNode): Promise<SpotCheckNode[]> {
    if (node) return [];
    const files = await vscode.workspace.findFiles('**/spotchecks/*/plan.json', '**/node_modules/**', 500);
    return files.map((f) => readSpotCheckNode(path.dirname(f.fsPath))).sort((a, b) => a.name.localeCompare(b.name));
  }

  getTreeItem(n: SpotCheckNode): vscode.TreeItem {
    const item = new vscode.TreeItem(n.name, vscode.TreeItemCollapsibleState.None);
    item.id = n.dir;
    item.contextValue = 'curator.spotCheck';
    item.resourceUri = vscode.Uri.file(path.join(n.dir, 'plan.json'));
    if (n.error || !n.progress) {
      item.description = 'unreadable';
      item.tooltip = n.error;
      item.iconPath = new vscode.ThemeIcon('warning');
      return item;
    }
    const p = n.progress;
    item.description = `${describeProgress(p)} · ✓${p.correct} ✗${p.incorrect} ↷${p.skip}`;
    const md = new vscode.MarkdownString();
    md.appendText(
      `${n.name}\n\n${n.dataset}\n\nreviewer ${reviewerName()}: ${p.judged} of ${p.size} judged — ${p.correct} correct, ${p.incorrect} incorrect, ${p.skip} skipped\n\n${n.reviewers} reviewer journal(s)`,
    );
    item.tooltip = md;
    item.iconPath = new vscode.ThemeIcon(p.judged >= p.size ? 'pass-filled' : p.judged > 0 ? 'circle-large-outline' : 'circle-outline');
    item.command = { command: 'curator.openSpotCheck', title: 'Open Spot Check', arguments: [n] };
    return item;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.watcher.dispose();
    this.changed.dispose();
  }
}
