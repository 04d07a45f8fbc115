/**
 * Every command the extension registers, by id and kind (ARCHITECTURE.md › Extension host).
 * No `vscode` import: the unit test test/unit/commandTable.test.ts checks this list against
 * package.json `contributes` (commands, keybindings, menus), and ./commands.ts must give every id
 * here a factory (the compiler checks that).
 *   contributed — in package.json `contributes.commands` (palette, menus)
 *   key         — contributed too; forwarded to the active view as a KeyPressed action
 *   lens        — run by the language server's CodeLens; not in the palette
 *   internal    — for tests (`curator.internal.*`); never an API between features
 */
import type { KeyAction } from '../protocol';

export const CONTRIBUTED_COMMANDS = [
  'curator.openDataset',
  'curator.openDemo',
  'curator.previewItemAtCursor',
  'curator.newSpotCheck',
  'curator.newHunt',
  'curator.openSpotCheck',
  'curator.refreshSpotChecks',
  'curator.focusSpotCheck',
  'curator.showReport',
  'curator.askModel',
  'curator.askModelForSpotCheck',
  'curator.showModelDisagreements',
  'curator.evalMcq',
  'curator.evalTwoAfc',
  'curator.setEndpointKey',
  'curator.addEndpoint',
  'curator.buildMerge2Compare',
  'curator.buildTeach2Compare',
  'curator.exportBatchRequests',
  'curator.importBatchResults',
  'curator.exportCuratedDataset',
] as const;

/** Review and navigation keys: command id → what the webview does. Keybindings live in package.json. */
export const KEY_COMMANDS = {
  'curator.review.markCorrect': 'correct',
  'curator.review.markIncorrect': 'incorrect',
  'curator.review.skip': 'skip',
  'curator.review.note': 'note',
  'curator.review.undo': 'undo',
  'curator.review.correctLabel': 'correction',
  'curator.review.reason': 'reason',
  'curator.item.next': 'next',
  'curator.item.previous': 'prev',
  'curator.item.first': 'first',
  'curator.item.last': 'last',
  'curator.item.enlarge': 'enlarge',
  'curator.item.compare': 'compare',
  'curator.item.goTo': 'find',
} as const satisfies Record<string, KeyAction>;

/** Run by the language server's CodeLens ("Preview · Review · Ask model") with {uri, index, key}. */
export const LENS_COMMANDS = ['curator.previewItem', 'curator.reviewItem', 'curator.askModel'] as const;

export const INTERNAL_COMMANDS = [
  'curator.internal.spotCheckNodes',
  'curator.internal.previewIndex',
  'curator.internal.activeView',
  'curator.internal.agreementFile',
  // Runs a browse filter/sort in the active browse view as its webview would (BrowseView.query).
  'curator.internal.browseQuery',
  // Opens a spot check in a titled review panel (reviewPanel.ts): New Spot Check, hunts and the plan editor use it.
  'curator.internal.openReviewPanel',
] as const;

export type KeyCommandId = keyof typeof KEY_COMMANDS;
/** Every command id the extension registers. */
export type CommandId = (typeof CONTRIBUTED_COMMANDS)[number] | KeyCommandId | (typeof LENS_COMMANDS)[number] | (typeof INTERNAL_COMMANDS)[number];
