/**
 * The command table (ARCHITECTURE.md › Extension host), after rust-analyzer's: every command id
 * (./commandIds.ts) maps to a small factory that receives the context and returns the handler.
 * `Record<CommandId, …>` makes the compiler refuse a missing or unknown id; the unit test
 * test/unit/commandTable.test.ts checks the ids against package.json.
 */
import * as vscode from 'vscode';
import { addEndpoint } from './ask/addEndpoint';
import * as ask from './ask/askFeature';
import * as batch from './ask/batchFeature';
import { evalMcq, evalTwoAfc } from './ask/evalCommands';
import { merge2Compare, teach2Compare } from './build/buildFeature';
import type { CommandId } from './commandIds';
import type { CuratorContext } from './context';
import * as editor from './curatorEditorFeature';
import { openDemo } from './demoFeature';
import { exportCuratedDataset } from './curate/exportFeature';
import { openReviewPanel } from './reviewPanel';
import { showReport } from './report/reportFeature';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- command arguments come from VS Code untyped
export type CommandFactory = (ctx: CuratorContext) => (...args: any[]) => unknown;

export const COMMANDS: Record<CommandId, CommandFactory> = {
  'curator.openDataset': editor.openDataset,
  'curator.openDemo': openDemo,
  'curator.previewItemAtCursor': editor.previewItemAtCursor,
  'curator.newSpotCheck': editor.newSpotCheckCommand,
  'curator.newHunt': editor.newHuntCommand,
  'curator.openSpotCheck': editor.openSpotCheck,
  'curator.refreshSpotChecks': editor.refreshSpotChecks,
  'curator.focusSpotCheck': editor.focusSpotCheck,
  'curator.showReport': showReport,
  'curator.askModel': ask.askModel,
  'curator.askModelForSpotCheck': ask.askModelForSpotCheck,
  'curator.showModelDisagreements': ask.showModelDisagreements,
  'curator.evalMcq': evalMcq,
  'curator.evalTwoAfc': evalTwoAfc,
  'curator.setEndpointKey': ask.setEndpointKey,
  'curator.addEndpoint': addEndpoint,
  'curator.buildMerge2Compare': merge2Compare,
  'curator.buildTeach2Compare': teach2Compare,
  'curator.exportBatchRequests': batch.exportBatchRequests,
  'curator.importBatchResults': batch.importBatchResults,
  'curator.exportCuratedDataset': exportCuratedDataset,

  'curator.review.markCorrect': editor.keyCommand('curator.review.markCorrect'),
  'curator.review.markIncorrect': editor.keyCommand('curator.review.markIncorrect'),
  'curator.review.skip': editor.keyCommand('curator.review.skip'),
  'curator.review.note': editor.keyCommand('curator.review.note'),
  'curator.review.undo': editor.keyCommand('curator.review.undo'),
  'curator.review.correctLabel': editor.keyCommand('curator.review.correctLabel'),
  'curator.review.reason': editor.keyCommand('curator.review.reason'),
  'curator.item.next': editor.keyCommand('curator.item.next'),
  'curator.item.previous': editor.keyCommand('curator.item.previous'),
  'curator.item.first': editor.keyCommand('curator.item.first'),
  'curator.item.last': editor.keyCommand('curator.item.last'),
  'curator.item.enlarge': editor.keyCommand('curator.item.enlarge'),
  'curator.item.compare': editor.keyCommand('curator.item.compare'),
  'curator.item.goTo': editor.keyCommand('curator.item.goTo'),

  'curator.previewItem': editor.previewItem,
  'curator.reviewItem': editor.reviewItem,

  'curator.internal.spotCheckNodes': editor.internalSpotCheckNodes,
  'curator.internal.previewIndex': editor.internalPreviewIndex,
  'curator.internal.activeView': editor.internalActiveView,
  'curator.internal.browseQuery': editor.internalBrowseQuery,
  'curator.internal.agreementFile': ask.internalAgreementFile,
  'curator.internal.openReviewPanel': openReviewPanel,
};

/** Registers every command of the table. */
export function registerCommands(ctx: CuratorContext): void {
  for (const [id, factory] of Object.entries(COMMANDS)) ctx.extension.subscriptions.push(vscode.commands.registerCommand(id, factory(ctx)));
}
