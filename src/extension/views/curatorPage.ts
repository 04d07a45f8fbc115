/**
 * The curator page loaded into a panel before its view exists (ARCHITECTURE.md › Webview): the
 * custom editors load it first and then open the dataset, so the webview starts (seconds in a
 * loaded browser) while the index worker reads the file. Its channel holds what the page sends
 * (the `Ready` request first) until the view has registered its handlers and releases it.
 */
import type * as vscode from 'vscode';
import type { CuratorContext } from '../context';
import { HostChannel } from '../hostChannel';
import { curatorHtml } from '../webviewHtml';
import { channelErrors, curatorWebviewOptions } from './curatorView';

export class CuratorPage {
  private constructor(readonly channel: HostChannel) {}

  /** Loads the page into `panel` for the dataset at `datasetPath` (its images may be shown). */
  static load(ctx: CuratorContext, panel: vscode.WebviewPanel, datasetPath: string): CuratorPage {
    panel.webview.options = curatorWebviewOptions(ctx, datasetPath);
    const page = new CuratorPage(new HostChannel(panel.webview, channelErrors(ctx), { held: true }));
    panel.webview.html = curatorHtml(panel.webview, ctx.extensionUri, panel.title);
    return page;
  }

  /** The dataset could not be opened: nothing will answer the page (the panel shows the failure instead). */
  dispose(): void {
    this.channel.dispose();
  }
}
