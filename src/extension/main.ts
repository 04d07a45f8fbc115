/**
 * Extension entry point: thin (ARCHITECTURE.md › Extension host). Creates the one context,
 * registers the command table, then activates the features that have more than commands.
 */
import type * as vscode from 'vscode';
import { registerCommands } from './commands';
import { CuratorContext } from './context';
import { FEATURES } from './features';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const ctx = new CuratorContext(context);
  registerCommands(ctx);
  for (const feature of FEATURES) await feature.activate(ctx);
}

export function deactivate(): void {
  // The context and everything on context.subscriptions are released by VS Code.
}
