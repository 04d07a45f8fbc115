/** The active curator view as `curator.internal.activeView` reports it to the extension-host specs (undefined: none). */
import * as vscode from 'vscode';
import type { ActiveViewState } from '../../../src/extension/curatorEditorFeature';

export type { ActiveViewState };

export const activeView = (): Thenable<ActiveViewState | undefined> =>
  vscode.commands.executeCommand<ActiveViewState | undefined>('curator.internal.activeView');
