/** Every feature of the extension host; each registers its commands, views and providers. One line each. */
import type * as vscode from 'vscode';
import { curatorEditorFeature } from './curatorEditorFeature';
import { buildFeature } from './build/buildFeature';
import { reportFeature } from './report/reportFeature';
import { languageClientFeature } from './languageClient';
import { askFeature } from './ask/askFeature';
import { demoFeature } from './demoFeature';

export interface Feature {
  name: string;
  activate(context: vscode.ExtensionContext): void | Promise<void>;
}

export const FEATURES: Feature[] = [
  curatorEditorFeature,
  buildFeature,
  reportFeature,
  languageClientFeature,
  askFeature,
  demoFeature,
];
