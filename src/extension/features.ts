/** Features with more than commands (editors, providers, a language client); each gets the context. One line each. */
import type { CuratorContext } from './context';
import { curatorEditorFeature } from './curatorEditorFeature';
import { languageClientFeature } from './languageClient';
import { reviewPanelFeature } from './reviewPanel';

export interface Feature {
  name: string;
  activate(ctx: CuratorContext): void | Promise<void>;
}

export const FEATURES: Feature[] = [curatorEditorFeature, languageClientFeature, reviewPanelFeature];
