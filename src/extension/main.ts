/**
 * Extension entry point: thin. Each feature lives in its own module and is listed in ./features.ts;
 * activation hands every feature the shared context.
 */
import * as vscode from 'vscode';
import { FEATURES } from './features';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  for (const feature of FEATURES) {
    await feature.activate(context);
  }
}

export function deactivate(): void {
  // Disposables registered on context.subscriptions are released by VS Code.
}
