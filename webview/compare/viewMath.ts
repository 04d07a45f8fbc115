/**
 * Geometry of the compare view (ARCHITECTURE.md, "Compare view"): one shared view state, and from it
 * each image's view — the image-pixel point at its viewport's centre and its scale (CSS px per image
 * pixel). Pure functions, no DOM.
 *
 * The shared state is kept in terms of the reference image (the largest of the group):
 *   - u, v: the point at the centre, as a fraction of the reference's width and height;
 *   - scale: CSS px per reference pixel (1 = the reference at 1:1);
 *   - fit: every image fitted to its viewport (u, v, scale then ignored).
 * Sync "relative": every image shows the same part of the scene (same fractions, scaled so its
 * width spans as many CSS px as the reference's). Sync "pixels": every image at the same pixel
 * position and the same scale. Either way a pan of one viewport moves every view by the same CSS px.
 */

export interface Size {
  width: number;
  height: number;
}
export type SyncMode = 'relative' | 'pixels';

export interface SharedView {
  fit: boolean;
  u: number;
  v: number;
  scale: number;
}

/** One image's view: (x, y) image pixels at the viewport centre; scale CSS px per image pixel. */
export interface ImageViewState {
  x: number;
  y: number;
  scale: number;
}

export const FIT: SharedView = { fit: true, u: 0.5, v: 0.5, scale: 1 };
export const MAX_SCALE = 32;

/** Index of the largest image (by pixel count); the first on ties. */
export function referenceIndex(sizes: Size[]): number {
  let best = 0;
  sizes.forEach((s, i) => {
    if (s.width * s.height > sizes[best].width * sizes[best].height) best = i;
  });
  return best;
}

export function fitScale(img: Size, port: Size): number {
  return Math.min(port.width / img.width, port.height / img.height);
}

/** The view of image `img` given the shared state, the reference size and the viewport size. */
export function imageView(state: SharedView, sync: SyncMode, img: Size, ref: Size, port: Size): ImageViewState {
  if (state.fit) return { x: img.width / 2, y: img.height / 2, scale: fitScale(img, port) };
  if (sync === 'pixels') return { x: state.u * ref.width, y: state.v * ref.height, scale: state.scale };
  return { x: state.u * img.width, y: state.v * img.height, scale: (state.scale * ref.width) / img.width };
}

/** The shared state that gives image `img` the view `view` (the inverse of imageView). */
export function sharedFromImage(view: ImageViewState, sync: SyncMode, img: Size, ref: Size): SharedView {
  if (sync === 'pixels') return { fit: false, u: view.x / ref.width, v: view.y / ref.height, scale: view.scale };
  return { fit: false, u: view.x / img.width, v: view.y / img.height, scale: (view.scale * img.width) / ref.width };
}

/**
 * Keeps the state sensible: scale between the reference's fit scale (below it: fit) and MAX_SCALE;
 * the centre where the reference still covers the viewport, or centred on an axis it does not fill.
 */
export function clampView(state: SharedView, ref: Size, port: Size): SharedView {
  if (state.fit) return FIT;
  const min = fitScale(ref, port);
  if (!(state.scale > min * 1.0001)) return FIT;
  const scale = Math.min(state.scale, MAX_SCALE);
  const axis = (c: number, len: number, portLen: number) => {
    const half = portLen / (2 * scale) / len; // half the viewport, as a fraction of the image
    if (half >= 0.5) return 0.5;
    return Math.min(1 - half, Math.max(half, Number.isFinite(c) ? c : 0.5));
  };
  return { fit: false, u: axis(state.u, ref.width, port.width), v: axis(state.v, ref.height, port.height), scale };
}

/** The state after zooming image `img`'s viewport by `factor` about the point (ox, oy) CSS px from its centre. */
export function zoomAbout(state: SharedView, sync: SyncMode, img: Size, ref: Size, port: Size, factor: number, ox = 0, oy = 0): SharedView {
  const cur = imageView(state, sync, img, ref, port);
  const px = cur.x + ox / cur.scale;
  const py = cur.y + oy / cur.scale;
  const scale = cur.scale * factor;
  const next = sharedFromImage({ x: px - ox / scale, y: py - oy / scale, scale }, sync, img, ref);
  return clampView(next, ref, port);
}

/** The state at a preset scale of the reference (1 = 1:1), keeping the centre (the middle when at fit). */
export function atScale(state: SharedView, scale: number, ref: Size, port: Size): SharedView {
  const base = state.fit ? FIT : state;
  return clampView({ fit: false, u: base.u, v: base.v, scale }, ref, port);
}

/** The state after dragging image `img`'s content by (dx, dy) CSS px. At fit nothing moves. */
export function panBy(state: SharedView, sync: SyncMode, img: Size, ref: Size, port: Size, dx: number, dy: number): SharedView {
  if (state.fit) return state;
  const cur = imageView(state, sync, img, ref, port);
  return clampView(sharedFromImage({ x: cur.x - dx / cur.scale, y: cur.y - dy / cur.scale, scale: cur.scale }, sync, img, ref), ref, port);
}

/** The CSS transform placing an image of `img` size, drawn from a source `srcWidth` px wide, in its viewport. */
export function layerTransform(view: ImageViewState, img: Size, srcWidth: number, port: Size): { tx: number; ty: number; k: number } {
  const k = (view.scale * img.width) / srcWidth;
  return { tx: port.width / 2 - view.x * view.scale, ty: port.height / 2 - view.y * view.scale, k };
}

/** "1:1", "2:1", "1:4" or "37 %" for a scale. */
export function scaleLabel(scale: number): string {
  for (const n of [1, 2, 3, 4, 8, 16, 32]) {
    if (Math.abs(scale - n) < 1e-3) return `${n}:1`;
    if (Math.abs(scale - 1 / n) < 1e-4) return `1:${n}`;
  }
  return `${Math.round(scale * 100)} %`;
}

/**
 * The tiles (col, row) of a `tileSize` grid over an image of size `img` that a viewport of size `port`
 * shows at `view`, plus `margin` tiles around them (fetched ahead of a pan).
 */
export function visibleTiles(view: ImageViewState, img: Size, port: Size, tileSize: number, margin = 0): [number, number][] {
  const hw = port.width / (2 * view.scale);
  const hh = port.height / (2 * view.scale);
  const cols = Math.ceil(img.width / tileSize);
  const rows = Math.ceil(img.height / tileSize);
  const c0 = Math.max(0, Math.floor((view.x - hw) / tileSize) - margin);
  const c1 = Math.min(cols - 1, Math.ceil((view.x + hw) / tileSize) - 1 + margin);
  const r0 = Math.max(0, Math.floor((view.y - hh) / tileSize) - margin);
  const r1 = Math.min(rows - 1, Math.ceil((view.y + hh) / tileSize) - 1 + margin);
  const out: [number, number][] = [];
  for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) out.push([c, r]);
  return out;
}
