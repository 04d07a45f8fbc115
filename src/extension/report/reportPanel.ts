/**
 * The spot-check report in a webview: the HTML report from core (theme-aware through VS Code's CSS
 * variables), export buttons, item links back to the review editor, Decide buttons per spot check
 * and stratum (core decide, as `cocurate decide`; issue #17), and live refresh when a verdict
 * journal, plan or decisions file changes.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { writeFileAtomic } from '../../core/atomicWrite';
import { decide } from '../../core/curate/decide';
import { decisionText } from '../../core/report/format';
import { escapeHtml } from '../../core/htmlEscape';
import { renderHtml, renderHtmlBody } from '../../core/report/html';
import { buildReport, prepareDrift, type DriftCache, type Report } from '../../core/report/model';
import { renderReport } from '../../core/report/render';
import * as P from '../../protocol';
import type { DatasetCache } from '../datasetCache';
import { HostChannel } from '../hostChannel';
import { nonce } from '../webviewHtml';
import { openReportItem } from './openItem';
import { walkthroughEvent } from '../walkthrough';

/** `curator.report.confidence` (default 0.95). */
function reportConfidence(): number {
  const c = vscode.workspace.getConfiguration('curator').get<number>('report.confidence', 0.95);
  return typeof c === 'number' && c > 0 && c < 1 ? c : 0.95;
}

export const REPORT_VIEW_TYPE = 'curator.report';

/** `.curator/reports/` for a plan folder `.curator/spotchecks/<name>` (ARCHITECTURE.md › Core). */
export function reportsFolder(planDir: string): string {
  return path.join(path.dirname(path.dirname(planDir)), 'reports');
}

export function reportFileName(report: Report, format: P.ReportFormat): string {
  const base = report.spotchecks.map((s) => s.name).join('-vs-') || 'report';
  return `${base}.${format}`;
}

export class ReportPanel implements vscode.Disposable {
  private static readonly open = new Map<string, ReportPanel>();
  private readonly disposables: vscode.Disposable[] = [];
  private readonly channel: HostChannel;
  private report: Report | undefined;
  private timer: NodeJS.Timeout | undefined;

  /** Shows the report of these plan folders, reusing an open panel for the same set. */
  static show(extensionUri: vscode.Uri, dirs: string[], log: (m: string) => void, who: () => string, datasets: DatasetCache): ReportPanel {
    const id = dirs.map((d) => path.resolve(d)).join('\n');
    const existing = ReportPanel.open.get(id);
    if (existing) {
      existing.panel.reveal();
      void existing.refresh();
      return existing;
    }
    const title = `Report: ${dirs.map((d) => path.basename(d)).join(' vs ')}`;
    const panel = vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, title, vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
    });
    const p = new ReportPanel(panel, extensionUri, dirs, log, who, datasets);
    walkthroughEvent('reportOpened');
    ReportPanel.open.set(id, p);
    p.disposables.push({ dispose: () => ReportPanel.open.delete(id) });
    return p;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    readonly dirs: string[],
    private readonly log: (m: string) => void,
    /** Who decides: the reviewer name (`curator.reviewer`, else the OS user). */
    private readonly who: () => string,
    /** Open datasets: drift is checked in them, a large one indexed off the host thread. */
    private readonly datasets: DatasetCache,
  ) {
    this.channel = new HostChannel(panel.webview, (method, e) => log(`report ${method}: ${e instanceof Error ? e.message : String(e)}`));
    this.channel.onCommand(P.ReportExport, async ({ format }) => {
      await this.export(format);
    });
    this.channel.onCommand(P.ReportOpenItem, async (item) => {
      // Only items of this report's own plans (the webview is not trusted to name other folders).
      if (!this.dirs.some((d) => path.resolve(d) === path.resolve(item.dir))) return;
      await openReportItem(item, this.datasets);
    });
    this.channel.onCommand(P.ReportExportCurated, async ({ dir }) => {
      if (!this.dirs.some((d) => path.resolve(d) === path.resolve(dir))) return;
      await vscode.commands.executeCommand('curator.exportCuratedDataset', { dir });
    });
    this.channel.onRequest(P.ReportDecideTargets, async () => ({ targets: await this.decideTargets() }));
    this.channel.onRequest(P.ReportDecide, ({ dir, stratum, decision }) => this.decide(dir, decision, stratum));
    for (const dir of dirs) {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), '{plan.json,verdicts-*.jsonl,decisions.json}'));
      const later = () => this.refreshSoon();
      w.onDidChange(later);
      w.onDidCreate(later);
      w.onDidDelete(later);
      this.disposables.push(w);
    }
    this.disposables.push(panel.onDidDispose(() => this.dispose()));
    this.disposables.push(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('curator.report')) void this.refresh();
      }),
    );
    this.disposables.push(
      panel.onDidChangeViewState(() => {
        if (panel.visible && this.stale) void this.refresh();
      }),
    );
    void this.render();
  }

  private stale = false;

  private readonly driftCache: DriftCache = new Map();

  /** The report; each dataset's drift is worked out first with the dataset from the cache (never indexed on this thread). */
  private async build(): Promise<Report> {
    await prepareDrift(this.dirs, this.driftCache, this.datasets);
    return buildReport(this.dirs, { compare: this.dirs.length > 1, confidence: reportConfidence(), driftCache: this.driftCache });
  }

  /** First paint: the full page with a fresh nonce. */
  private async render(): Promise<void> {
    const webview = this.panel.webview;
    let report: Report | undefined;
    let failed: Error | undefined;
    try {
      report = await this.build();
    } catch (e) {
      failed = e as Error;
    }
    if (this.disposed) return;
    try {
      if (failed || !report) throw failed;
      this.report = report;
      const scriptUri = webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'report.js')).toString();
      webview.html = renderHtml(report, { cspSource: webview.cspSource, nonce: nonce(), scriptUri });
    } catch (e) {
      webview.html = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none';"></head><body><p>Cannot build the report: ${escapeHtml((e as Error).message)}</p></body></html>`;
    }
  }

  refreshSoon(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), 200);
  }

  /** Rebuilds the report and sends the new content; the page keeps its scroll position. */
  async refresh(): Promise<void> {
    if (!this.panel.visible) {
      this.stale = true;
      return;
    }
    this.stale = false;
    try {
      if (this.report === undefined) {
        await this.render();
        return;
      }
      this.report = await this.build();
      void this.channel.notify(P.ReportUpdate, { html: renderHtmlBody(this.report, { linkItems: true }), generatedAt: this.report.generatedAt });
    } catch (e) {
      this.log(`report refresh: ${(e as Error).message}`);
    }
  }

  /** The spot checks (not hunts) of the report in card order, with their strata, for the Decide buttons. */
  private async decideTargets(): Promise<P.ReportDecideTarget[]> {
    const report = this.report ?? (await this.build());
    return report.spotchecks.flatMap((s, card) =>
      s.kind === 'hunt'
        ? []
        : [
            {
              card,
              dir: s.dir,
              name: s.name,
              strata: s.strata.map((h) => ({
                name: h.name,
                label: s.strataBy === 'groupSize' && /^\d+$/.test(h.name) ? `${h.name} image${h.name === '1' ? '' : 's'}` : h.name,
              })),
            },
          ],
    );
  }

  /** Records a decision through core (the same code as `cocurate decide`); answered once decisions.json is on disk. */
  async decide(dir: string, value: P.DecisionValue, stratum?: string): Promise<{ file: string; text: string }> {
    // Only this report's own plans (the webview is not trusted to name other folders).
    const own = this.dirs.find((d) => path.resolve(d) === path.resolve(dir));
    if (!own) throw new Error(`"${dir}" is not a spot check of this report`);
    if (!['keep', 'drop', 'keep-with-corrections'].includes(value)) throw new Error(`unknown decision "${String(value)}"`);
    const r = decide(own, value, { stratum, by: this.who(), confidence: reportConfidence() });
    walkthroughEvent('decisionRecorded');
    await this.refresh();
    return { file: r.file, text: `${r.spotcheck}${stratum !== undefined ? `, stratum ${stratum}` : ''}: ${decisionText(r.decision)}` };
  }

  /** Writes the report in one format to .curator/reports/ and offers to open it. */
  async export(format: P.ReportFormat): Promise<string | undefined> {
    try {
      const report = await this.build();
      const folder = reportsFolder(this.dirs[0]);
      const file = path.join(folder, reportFileName(report, format));
      writeFileAtomic(file, renderReport(report, format));
      void vscode.window.showInformationMessage(`Curator: report saved to ${vscode.workspace.asRelativePath(file)}`, 'Open').then((pick) => {
        if (pick !== 'Open') return;
        const uri = vscode.Uri.file(file);
        if (format === 'md') void vscode.commands.executeCommand('markdown.showPreview', uri);
        else if (format === 'html') void vscode.env.openExternal(uri);
        else void vscode.window.showTextDocument(uri);
      });
      return file;
    } catch (e) {
      void vscode.window.showErrorMessage(`Curator: could not export the report: ${(e as Error).message}`);
      return undefined;
    }
  }

  private disposed = false;

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.channel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
  }
}
