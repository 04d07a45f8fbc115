/** The builder commands: Merge2Compare and Teach2Compare with progress and cancel. */
import * as vscode from 'vscode';
import type { Feature } from '../features';
import { buildMerge2Compare, buildTeach2Compare, type BuildCommandArgs } from './buildCommands';

export const buildFeature: Feature = {
  name: 'build',
  activate(context) {
    const output = vscode.window.createOutputChannel('Curator Build', { log: true });
    context.subscriptions.push(
      output,
      vscode.commands.registerCommand('curator.buildMerge2Compare', (arg?: unknown, args?: BuildCommandArgs) => buildMerge2Compare(context, output, arg, args)),
      vscode.commands.registerCommand('curator.buildTeach2Compare', (arg?: unknown, args?: BuildCommandArgs) => buildTeach2Compare(context, output, arg, args)),
    );
  },
};
