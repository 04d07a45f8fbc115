/**
 * Where other features find the open curator views: the editor feature hands over its panel
 * registry at activation (one line there), so the model-answers feature can reach the active view.
 */
import type { PanelRegistry } from '../panelRegistry';

export const curatorViews: { registry?: PanelRegistry } = {};
