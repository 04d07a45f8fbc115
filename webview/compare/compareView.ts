/**
 * Compare view (ARCHITECTURE.md, "Compare view"): every image of a group side by side at one zoom —
 * fit, 1:1, 2:1, 4:1 or free wheel zoom about the cursor — with pan and zoom synchronised across the
 * images (by relative position, or by pixels); A/B flicker (one key flips two images in place at the
 * same view) and a swipe divider. Plain DOM built with h() (dataset text only ever as text).
 *
 * Pictures: a downscaled preview while it is sharp enough at the current zoom, the full-size picture
 * once the view magnifies the preview; a placeholder with the image's aspect ratio until the picture
 * is decoded and painted; a fault placeholder that names the problem for an image that cannot be shown.
 * Each image is a composited layer moved by a CSS transform only, so a pan costs no layout or raster.
 *
 * Automation hooks: every image viewport carries data-view-x / data-view-y (image pixels, in the
 * upright image, at the viewport's centre) and data-view-scale (CSS px per image pixel); every image
 * element carries data-ordinal (1-based).
 */
import { clear, h } from '../elements';
import type { CompareImage } from './types';
import {
  clampView,
  FIT,
  atScale,
  imageView,
  layerTransform,
  panBy,
  referenceIndex,
  scaleLabel,
  zoomAbout,
  type SharedView,
  type Size,
  type SyncMode,
  visibleTiles,
} from './viewMath';

export type { CompareImage } from './types';

export type CompareMode = 'side' | 'flicker' | 'swipe';

export type CompareAction =
  | 'fit'
  | 'zoom1'
  | 'zoom2'
  | 'zoom4'
  | 'zoomIn'
  | 'zoomOut'
  | 'panLeft'
  | 'panRight'
  | 'panUp'
  | 'panDown'
  | 'toggleSync'
  | 'side'
  | 'flicker'
  | 'swipe'
  | 'nextPair'
  | 'dividerLeft'
  | 'dividerRight'
  | 'back';

export interface CompareOptions {
  /** Called when a picture is painted (for benches and tests). */
  onPaint?: (ordinal: number, source: 'preview' | 'full') => void;
  /** Called after the view changed (zoom, pan, mode, sync). */
  onViewChange?: () => void;
  /**
   * Full-resolution tiles from the host (images with `tiles`): `fetch` answers tile URLs for (col, row)
   * positions; `warm` says which images are on screen (decoded whole once zoomed into, for pans) and which
   * tiles to cut ahead: those the shown group's first zoom will show, then the next group's (so a zoom
   * pressed as soon as an item is shown only reads files).
   * Without it, magnified images load their whole full-size picture.
   */
  tiles?: {
    fetch(id: string, tiles: [number, number][]): Promise<{ col: number; row: number; src: string }[]>;
    warm?(ids: string[], cut?: { id: string; tiles: [number, number][] }[]): void;
  };
}

/** Keys of the compare view, for when key events reach it directly (the host may send actions instead). */
export function compareKeyAction(e: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'altKey' | 'ctrlKey' | 'metaKey'>): CompareAction | undefined {
  if (e.ctrlKey || e.metaKey || e.altKey) return undefined;
  if (e.shiftKey && e.key.startsWith('Arrow'))
    return ({ ArrowLeft: 'panLeft', ArrowRight: 'panRight', ArrowUp: 'panUp', ArrowDown: 'panDown' } as const)[e.key as 'ArrowLeft'];
  return (
    {
      '0': 'fit',
      '1': 'zoom1',
      '2': 'zoom2',
      '4': 'zoom4',
      '+': 'zoomIn',
      '=': 'zoomIn',
      '-': 'zoomOut',
      p: 'toggleSync',
      a: 'side',
      f: 'flicker',
      w: 'swipe',
      b: 'nextPair',
      '[': 'dividerLeft',
      ']': 'dividerRight',
      Escape: 'back',
    } as Record<string, CompareAction>
  )[e.key];
}

export const COMPARE_KEYS_HELP = '0 fit · 1 1:1 · 2 2:1 · 4 4:1 · wheel zoom · drag or Shift+arrows pan · p sync · a all · f flicker · w swipe · b pair';

interface Slot {
  image: CompareImage;
  size?: Size;
  img?: HTMLImageElement;
  /** Natural width of the picture the img shows. */
  srcWidth: number;
  source: 'preview' | 'full';
  fullState: 'none' | 'loading' | 'loaded' | 'failed';
  painted: boolean;
  fault?: { title: string; reason: string };
  placeholder: HTMLElement;
  /** The viewport the image sits in now. */
  port?: Port;
  /** Full-resolution tiles shown over the preview while it is magnified. */
  tiles?: TileLayer;
}

interface TileLayer {
  el: HTMLElement;
  /** Tiles decoded and in the layer, and tiles asked for, by "col,row". */
  have: Set<string>;
  pending: Set<string>;
  /** Tile pictures still loading or decoding (their loads are dropped when the group changes). */
  loading: Set<HTMLImageElement>;
  /** Decoded tiles waiting to be inserted (during a pan they go in from an idle callback, in one batch). */
  ready: { key: string; img: HTMLImageElement }[];
  /** The visible set whose paint was last reported. */
  reported: string;
}

interface Port {
  el: HTMLElement;
  width: number;
  height: number;
  slots: Slot[];
}

const PAN_STEP = 0.25;
/** Device px per image px from which a magnified preview is replaced by full-resolution tiles. */
const TILE_MIN_SCALE = 0.5;
const ZOOM_STEP = 1.25;
/** Rings of tiles fetched around the visible ones ahead of a pan. */
const ringTiles = () => Number((globalThis as { __cmpRing?: number }).__cmpRing ?? 1);
/** A pan counts as under way this long after its last step (ms). */
const PAN_QUIET_MS = 120;

export class CompareView {
  readonly el: HTMLElement;
  private readonly toolbar: HTMLElement;
  private readonly stage: HTMLElement;
  private readonly status: HTMLElement;
  private readonly zoomReadout: HTMLElement;
  private readonly buttons = new Map<string, HTMLButtonElement>();
  private readonly pickA: HTMLSelectElement;
  private readonly pickB: HTMLSelectElement;
  private slots: Slot[] = [];
  private ports: Port[] = [];
  private state: SharedView = FIT;
  private sync: SyncMode = 'relative';
  private mode: CompareMode = 'side';
  /** Indices (into slots) of the flicker/swipe pair and which one flicker shows. */
  private pair: [number, number] = [0, 1];
  private showB = false;
  private divider = 0.5;
  private frame = 0;
  private generation = 0;
  /** Tile ids of the images on screen (what the host is asked to decode for pans). */
  private warmIds: string[] = [];
  /** A pan is under way until then (performance.now() ms): tile insertions wait for idle time. */
  private panningUntil = 0;
  private idle = 0;
  /** The tiles the shown group's first zoom will show (cut ahead by the host). */
  private warmFirst: { id: string; tiles: [number, number][] }[] = [];
  private readonly resize = new ResizeObserver(() => this.measure());
  /** Pictures decoded ahead of show() (prefetch), by src; a few groups' worth. */
  private readonly decoded = new Map<string, { img: HTMLImageElement; ready: Promise<void> }>();

  constructor(private readonly opts: CompareOptions = {}) {
    this.zoomReadout = h('span', { class: 'cmp-zoom', 'aria-label': 'zoom' }, 'fit');
    this.pickA = h('select', { class: 'cmp-pick', 'aria-label': 'image A' });
    this.pickB = h('select', { class: 'cmp-pick', 'aria-label': 'image B' });
    const button = (action: CompareAction, text: string, title: string) => {
      const b = h('button', { type: 'button', class: 'cmp-button', 'data-action': action, title, 'aria-pressed': 'false' }, text);
      b.addEventListener('click', () => {
        this.perform(action);
        this.el.focus();
      });
      this.buttons.set(action, b);
      return b;
    };
    this.toolbar = h(
      'div',
      { class: 'cmp-toolbar', role: 'toolbar', 'aria-label': 'Compare view' },
      h(
        'span',
        { class: 'cmp-group' },
        button('fit', 'Fit', 'Fit every image (0)'),
        button('zoom1', '1:1', 'Original pixels (1)'),
        button('zoom2', '2:1', 'Two screen pixels per image pixel (2)'),
        button('zoom4', '4:1', 'Four screen pixels per image pixel (4)'),
        this.zoomReadout,
      ),
      h('span', { class: 'cmp-group' }, button('toggleSync', 'Sync: relative', 'Synchronise by relative position or by pixels (p)')),
      h(
        'span',
        { class: 'cmp-group' },
        button('side', 'All', 'All images side by side (a)'),
        button('flicker', 'Flicker', 'Flip A and B in place (f)'),
        button('swipe', 'Swipe', 'A left of a divider, B right of it (w)'),
      ),
      h('span', { class: 'cmp-group cmp-pair' }, h('label', {}, 'A ', this.pickA), h('label', {}, 'B ', this.pickB)),
    );
    for (const [sel, which] of [
      [this.pickA, 0],
      [this.pickB, 1],
    ] as const) {
      sel.addEventListener('change', () => this.setPair(which === 0 ? [Number(sel.value), this.pair[1]] : [this.pair[0], Number(sel.value)]));
    }
    this.stage = h('div', { class: 'cmp-stage' });
    this.status = h('div', { class: 'cmp-status', role: 'status', 'aria-live': 'polite' });
    this.el = h(
      'section',
      { class: 'compare', tabindex: 0, 'aria-label': 'Compare images', 'data-mode': 'side', 'data-sync': 'relative' },
      this.toolbar,
      this.stage,
      this.status,
    );
    this.el.addEventListener('keydown', (e) => {
      if (e.target instanceof HTMLSelectElement) return;
      const a = compareKeyAction(e);
      if (a && this.perform(a)) {
        e.preventDefault();
        e.stopPropagation();
      }
    });
  }

  /** Shows a group. The view (zoom, position, sync, mode) carries over from the previous group. */
  show(images: CompareImage[]): void {
    this.generation++;
    this.dropTileLoads();
    for (const s of this.slots) s.img?.remove();
    this.slots = images.map((image) => ({
      image,
      size: image.width && image.height ? { width: image.width, height: image.height } : undefined,
      srcWidth: image.preview?.width ?? image.width ?? 0,
      source: image.preview ? 'preview' : 'full',
      fullState: image.preview ? 'none' : 'loading',
      painted: false,
      fault: image.fault,
      placeholder: h('div', { class: 'cmp-placeholder', 'aria-hidden': 'true' }),
    }));
    if (this.pair[0] >= images.length || this.pair[1] >= images.length || this.pair[0] === this.pair[1]) this.pair = [0, Math.min(1, images.length - 1)];
    this.showB = false;
    this.fillPickers();
    this.build();
    for (const s of this.slots) void this.load(s, this.generation);
    this.warmIds = images.filter((im) => im.tiles && !im.fault).map((im) => im.tiles!.id);
    // At fit, the first zoom is predictable: the host cuts its tiles now (magnified, apply() asks for them at once).
    this.warmFirst = this.state.fit ? this.firstViewTiles(images) : [];
    if (this.warmIds.length) this.opts.tiles?.warm?.(this.warmIds, this.warmFirst);
  }

  /**
   * Fetches and decodes the pictures a later show() will start with (the next item's previews), so
   * they paint in the first frame after show(). Keeps the last 16.
   */
  prefetch(images: CompareImage[], opts: { next?: boolean } = {}): void {
    if (opts.next && this.opts.tiles?.warm) {
      const next = this.firstViewTiles(images);
      if (next.length) this.opts.tiles.warm(this.warmIds, [...this.warmFirst, ...next]);
    }
    for (const image of images) {
      const src = image.preview?.src ?? image.full?.src;
      if (!src || image.fault || this.decoded.has(src)) continue;
      const img = new Image();
      img.decoding = 'async';
      img.src = src;
      this.decoded.set(src, { img, ready: img.decode() });
      this.decoded.get(src)!.ready.catch(() => this.decoded.delete(src));
      while (this.decoded.size > 16) this.decoded.delete(this.decoded.keys().next().value as string);
    }
  }

  /**
   * The tiles each image of a later group will show first: at the current view if it is magnified (the
   * view carries over), else at 1:1 from fit; in viewports as they are now (or as wide as a row of that
   * many images gets, for a group of another size).
   */
  private firstViewTiles(images: CompareImage[]): { id: string; tiles: [number, number][] }[] {
    const sizes = images.map((im) => (im.width && im.height && !im.fault ? { width: im.width, height: im.height } : undefined));
    const known = sizes.filter((z): z is Size => !!z);
    if (!known.length || !this.ports.length) return [];
    const ref = known[referenceIndex(known)];
    const same = images.length === this.slots.length;
    const row = Math.max(1, Math.min(images.length, 4));
    const estimate: Size = { width: this.stage.clientWidth / row, height: this.ports[0].height };
    const portOf = (k: number): Size | undefined => (this.mode !== 'side' ? this.ports[0] : same ? this.slots[k].port : estimate);
    const refPort = portOf(sizes.indexOf(ref));
    if (!refPort || refPort.width <= 0) return [];
    const state = this.state.fit ? atScale(FIT, 1, ref, refPort) : clampView(this.state, ref, refPort);
    const dpr = window.devicePixelRatio || 1;
    const out: { id: string; tiles: [number, number][] }[] = [];
    images.forEach((im, k) => {
      const size = sizes[k];
      const port = portOf(k);
      // Tiles replace a magnified preview (without one the whole picture is loaded).
      if (!im.tiles || !im.preview || !size || !port || port.width <= 0) return;
      const view = imageView(state, this.sync, size, ref, port);
      if (view.scale * dpr < TILE_MIN_SCALE || view.scale * size.width * dpr <= (im.preview?.width ?? 0) * 1.02) return;
      out.push({ id: im.tiles.id, tiles: visibleTiles(view, size, port, im.tiles.size) });
    });
    return out;
  }

  /** Runs a compare action; false when it does not apply (the caller may then use the key itself). */
  perform(action: CompareAction): boolean {
    const ref = this.refSize();
    const port = this.refPort();
    switch (action) {
      case 'fit':
        this.setState(FIT);
        break;
      case 'zoom1':
      case 'zoom2':
      case 'zoom4':
        if (!ref || !port) return true;
        this.setState(atScale(this.state, { zoom1: 1, zoom2: 2, zoom4: 4 }[action], ref, port));
        break;
      case 'zoomIn':
      case 'zoomOut': {
        const s = this.focusSlot();
        if (!s?.size || !ref || !s.port) return true;
        this.setState(zoomAbout(this.state, this.sync, s.size, ref, s.port, action === 'zoomIn' ? ZOOM_STEP : 1 / ZOOM_STEP));
        break;
      }
      case 'panLeft':
      case 'panRight':
      case 'panUp':
      case 'panDown': {
        const s = this.focusSlot();
        if (!s?.port || this.state.fit) return false;
        const dx = action === 'panLeft' ? 1 : action === 'panRight' ? -1 : 0;
        const dy = action === 'panUp' ? 1 : action === 'panDown' ? -1 : 0;
        this.panPort(s, dx * s.port.width * PAN_STEP, dy * s.port.height * PAN_STEP);
        break;
      }
      case 'toggleSync':
        this.setSync(this.sync === 'relative' ? 'pixels' : 'relative');
        break;
      case 'side':
        this.setMode('side');
        break;
      case 'flicker':
        if (this.slots.length < 2) return true;
        if (this.mode === 'flicker') this.flip();
        else this.setMode('flicker');
        break;
      case 'swipe':
        if (this.slots.length >= 2) this.setMode('swipe');
        break;
      case 'nextPair':
        this.nextPair();
        break;
      case 'dividerLeft':
      case 'dividerRight':
        if (this.mode !== 'swipe') return false;
        this.setDivider(this.divider + (action === 'dividerLeft' ? -0.05 : 0.05));
        break;
      case 'back':
        if (this.mode === 'side') return false;
        this.setMode('side');
        break;
    }
    return true;
  }

  /** Pans by (dx, dy) CSS px as a drag on the first viewport would (used by benches and scripts). */
  panBy(dx: number, dy: number): void {
    const s = this.focusSlot();
    if (s) this.panPort(s, dx, dy);
  }

  get view(): { mode: CompareMode; sync: SyncMode; fit: boolean; scale: number; pair: [number, number]; showing: number } {
    return {
      mode: this.mode,
      sync: this.sync,
      fit: this.state.fit,
      scale: this.state.scale,
      pair: [...this.pair],
      showing: this.showB ? this.pair[1] : this.pair[0],
    };
  }

  setMode(mode: CompareMode): void {
    if (mode !== 'side' && this.slots.length < 2) mode = 'side';
    if (mode === this.mode) return;
    this.mode = mode;
    this.showB = false;
    this.build();
    this.announce(
      mode === 'side'
        ? `All ${this.slots.length} images side by side`
        : mode === 'flicker'
          ? `Flicker: showing ${this.pairName(0)}; press f to flip`
          : `Swipe: ${this.pairName(0)} left, ${this.pairName(1)} right`,
    );
  }

  setSync(sync: SyncMode): void {
    this.sync = sync;
    this.el.dataset.sync = sync;
    this.buttons.get('toggleSync')!.textContent = sync === 'relative' ? 'Sync: relative' : 'Sync: pixels';
    this.buttons.get('toggleSync')!.setAttribute('aria-pressed', String(sync === 'pixels'));
    this.announce(sync === 'relative' ? 'Synchronised by relative position' : 'Synchronised by pixels');
    this.schedule();
  }

  destroy(): void {
    this.generation++;
    this.dropTileLoads();
    if (this.idle) cancelIdleCallback(this.idle);
    this.idle = 0;
    this.resize.disconnect();
    cancelAnimationFrame(this.frame);
    this.el.remove();
  }

  // ------------------------------------------------------------------------------------------
  // Layout

  private build(): void {
    const hadFocus = this.el.contains(document.activeElement) && document.activeElement !== this.el;
    this.resize.disconnect();
    for (const s of this.slots) {
      s.img?.remove();
      s.tiles?.el.remove();
      s.tiles?.el.classList.remove('cmp-hidden');
      s.placeholder.remove();
      s.img?.classList.remove('cmp-hidden');
      s.placeholder.classList.remove('cmp-hidden');
      s.port = undefined;
    }
    clear(this.stage);
    this.ports = [];
    this.el.dataset.mode = this.mode;
    for (const m of ['side', 'flicker', 'swipe'] as const) this.buttons.get(m)!.setAttribute('aria-pressed', String(this.mode === m));
    this.toolbar.querySelector('.cmp-pair')!.toggleAttribute('hidden', this.mode === 'side' || this.slots.length < 2);
    if (this.mode === 'side') {
      const n = this.slots.length;
      this.stage.style.setProperty('--cmp-columns', String(Math.max(1, Math.min(n, 4))));
      this.stage.style.setProperty('--cmp-rows', String(Math.max(1, Math.ceil(n / 4))));
      for (const s of this.slots) {
        const port = this.makePort([s]);
        this.stage.append(h('figure', { class: 'cmp-pane', 'data-ordinal': s.image.ordinal }, this.caption(s), port.el));
      }
    } else {
      this.stage.style.setProperty('--cmp-columns', '1');
      this.stage.style.setProperty('--cmp-rows', '1');
      const [a, b] = this.pair.map((i) => this.slots[i]);
      const port = this.makePort([a, b]);
      const captions = h(
        'figcaption',
        { class: 'cmp-caption cmp-pair-caption' },
        h(
          'span',
          { class: 'cmp-ab', 'data-ab': 'A' },
          'A: ',
          h('span', { class: 'ordinal' }, a.image.caption),
          ' ',
          h('span', { class: 'path' }, a.image.path),
        ),
        h(
          'span',
          { class: 'cmp-ab', 'data-ab': 'B' },
          'B: ',
          h('span', { class: 'ordinal' }, b.image.caption),
          ' ',
          h('span', { class: 'path' }, b.image.path),
        ),
        h('span', { class: 'cmp-scale' }),
      );
      this.stage.append(h('figure', { class: 'cmp-pane cmp-pane-pair' }, captions, port.el));
      if (this.mode === 'swipe') this.addDivider(port);
      else this.applyFlicker();
    }
    for (const p of this.ports) this.resize.observe(p.el);
    if (hadFocus && !this.el.contains(document.activeElement)) this.el.focus({ preventScroll: true });
    this.measure();
  }

  private caption(s: Slot): HTMLElement {
    return h(
      'figcaption',
      { class: 'cmp-caption' },
      h('span', { class: 'ordinal' }, s.image.caption),
      h('span', { class: 'path', title: s.image.path }, s.image.path),
      h('span', { class: 'cmp-scale' }),
    );
  }

  private makePort(slots: Slot[]): Port {
    const el = h('div', { class: 'cmp-viewport', role: 'img' });
    const port: Port = { el, width: 0, height: 0, slots };
    slots.forEach((s, k) => {
      s.port = port;
      if (this.mode === 'swipe' && k === 1) {
        const clip = h('div', { class: 'cmp-clip' });
        clip.append(s.placeholder);
        if (s.img) clip.append(s.img);
        if (s.tiles) clip.append(s.tiles.el);
        el.append(clip);
      } else {
        el.append(s.placeholder);
        if (s.img) el.append(s.img);
        if (s.tiles) el.append(s.tiles.el);
      }
      if (s.fault) this.showFault(s);
    });
    this.wirePointer(port);
    this.ports.push(port);
    return port;
  }

  private addDivider(port: Port): void {
    const handle = h('div', {
      class: 'cmp-divider',
      role: 'separator',
      tabindex: 0,
      'aria-orientation': 'vertical',
      'aria-label': 'Swipe divider: A to the left, B to the right',
      'aria-valuemin': 0,
      'aria-valuemax': 100,
    });
    handle.addEventListener('pointerdown', (e) => {
      e.stopPropagation();
      handle.setPointerCapture(e.pointerId);
      const move = (ev: PointerEvent) => {
        const r = port.el.getBoundingClientRect();
        this.setDivider((ev.clientX - r.left) / r.width);
      };
      const up = () => {
        handle.removeEventListener('pointermove', move);
        handle.removeEventListener('pointerup', up);
      };
      handle.addEventListener('pointermove', move);
      handle.addEventListener('pointerup', up);
    });
    handle.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
        e.preventDefault();
        e.stopPropagation();
        this.setDivider(this.divider + (e.key === 'ArrowLeft' ? -0.05 : 0.05));
      }
    });
    port.el.append(handle);
    this.setDivider(this.divider);
  }

  private setDivider(f: number): void {
    this.divider = Math.min(1, Math.max(0, f));
    const pct = `${(this.divider * 100).toFixed(2)}%`;
    const clip = this.stage.querySelector<HTMLElement>('.cmp-clip');
    if (clip) clip.style.clipPath = `inset(0 0 0 ${pct})`;
    const handle = this.stage.querySelector<HTMLElement>('.cmp-divider');
    if (handle) {
      handle.style.left = pct;
      handle.setAttribute('aria-valuenow', String(Math.round(this.divider * 100)));
    }
  }

  private measure(): void {
    for (const p of this.ports) {
      p.width = p.el.clientWidth;
      p.height = p.el.clientHeight;
    }
    this.setState(this.state);
  }

  // ------------------------------------------------------------------------------------------
  // View state

  private refSize(): Size | undefined {
    const known = this.slots.filter((s) => s.size);
    if (!known.length) return undefined;
    return known[referenceIndex(known.map((s) => s.size!))].size;
  }

  private refPort(): Port | undefined {
    const ref = this.refSize();
    return this.slots.find((s) => s.size === ref)?.port ?? this.ports[0];
  }

  /** The slot that keys act on: the one shown (flicker), else the reference. */
  private focusSlot(): Slot | undefined {
    if (this.mode === 'flicker') return this.slots[this.showB ? this.pair[1] : this.pair[0]];
    const ref = this.refSize();
    return this.slots.find((s) => s.size === ref && s.port) ?? this.slots.find((s) => s.size && s.port);
  }

  private setState(next: SharedView): void {
    const ref = this.refSize();
    const port = this.refPort();
    const clamped = ref && port && port.width > 0 ? clampView(next, ref, port) : next;
    const changed = clamped.fit !== this.state.fit || clamped.u !== this.state.u || clamped.v !== this.state.v || clamped.scale !== this.state.scale;
    this.state = clamped;
    this.schedule();
    if (changed) this.opts.onViewChange?.();
  }

  private panPort(s: Slot, dx: number, dy: number): void {
    const ref = this.refSize();
    if (!s.size || !ref || !s.port) return;
    this.panningUntil = performance.now() + PAN_QUIET_MS;
    this.setState(panBy(this.state, this.sync, s.size, ref, s.port, dx, dy));
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.apply();
    });
  }

  /** Writes transforms and hooks; starts full-size loads where the preview is magnified. */
  private apply(): void {
    const ref = this.refSize();
    const dpr = window.devicePixelRatio || 1;
    for (const s of this.slots) {
      const port = s.port;
      if (!port || !s.size || !ref || port.width === 0) continue;
      const view = imageView(this.state, this.sync, s.size, ref, port);
      if (s.img && s.srcWidth > 0) {
        const t = layerTransform(view, s.size, s.srcWidth, port);
        s.img.style.transform = `translate3d(${t.tx}px, ${t.ty}px, 0) scale(${t.k})`;
        // Magnified original pixels show as crisp squares (noise and blur judged at the pixel).
        s.img.classList.toggle('cmp-pixels', s.source === 'full' && view.scale > 1.001);
      }
      if (!s.painted || s.fault) {
        // A fault stays at fit so its message is readable at any zoom.
        const pv = s.fault ? imageView(FIT, this.sync, s.size, ref, port) : view;
        const st = s.placeholder.style;
        st.width = `${s.size.width * pv.scale}px`;
        st.height = `${s.size.height * pv.scale}px`;
        st.transform = `translate3d(${port.width / 2 - pv.x * pv.scale}px, ${port.height / 2 - pv.y * pv.scale}px, 0)`;
      }
      if (this.hookSlot(port) === s && s.fault) {
        for (const k of ['viewX', 'viewY', 'viewScale']) delete port.el.dataset[k];
        setAttr(port.el, 'data-ordinal', String(s.image.ordinal));
        setAttr(port.el, 'aria-label', `${s.image.caption}: ${s.image.path}, not shown`);
        const faultLabel = port.el.parentElement?.querySelector('.cmp-scale');
        if (faultLabel) setText(faultLabel, 'not shown');
        continue;
      }
      if (this.hookSlot(port) === s) {
        port.el.dataset.viewX = round(view.x);
        port.el.dataset.viewY = round(view.y);
        port.el.dataset.viewScale = round(view.scale, 6);
        // Written only when changed: a pan must not touch text (no layout, no accessibility churn).
        setAttr(port.el, 'data-ordinal', String(s.image.ordinal));
        setAttr(port.el, 'aria-label', `${s.image.caption}: ${s.image.path}, ${this.state.fit ? 'fitted' : scaleLabel(view.scale)}`);
        const label = port.el.parentElement?.querySelector('.cmp-scale');
        if (label) setText(label, this.state.fit ? `fit ${scaleLabel(view.scale)}` : scaleLabel(view.scale));
      }
      const magnified = view.scale * s.size.width * dpr > s.srcWidth * 1.02;
      // Tiles from about 1:2 up (at most ~4× the viewport's pixels fetched); below that a magnified preview gives way to the whole picture.
      const tiled = !!s.image.tiles && !!this.opts.tiles && s.source === 'preview' && s.fullState === 'none' && !s.fault;
      const tileScale = view.scale * dpr >= TILE_MIN_SCALE;
      if (tiled) this.updateTiles(s, view, port, magnified && tileScale);
      if (s.fullState === 'none' && s.image.full && !s.fault && magnified && !(tiled && tileScale)) void this.loadFull(s, this.generation);
    }
    const refView = ref && this.refPort() ? imageView(this.state, this.sync, ref, ref, this.refPort()!) : undefined;
    setText(this.zoomReadout, this.state.fit ? 'fit' : refView ? scaleLabel(refView.scale) : '');
    for (const [a, on] of [
      ['fit', this.state.fit],
      ['zoom1', !this.state.fit && this.state.scale === 1],
      ['zoom2', !this.state.fit && this.state.scale === 2],
      ['zoom4', !this.state.fit && this.state.scale === 4],
    ] as const) {
      setAttr(this.buttons.get(a)!, 'aria-pressed', String(on));
    }
  }

  /** The slot whose view a viewport's hooks describe: the one visible (flicker) or A (swipe). */
  private hookSlot(port: Port): Slot {
    if (this.mode === 'flicker' && port.slots.length === 2) return port.slots[this.showB ? 1 : 0];
    return port.slots[0];
  }

  // ------------------------------------------------------------------------------------------
  // Flicker and pairs

  private flip(): void {
    this.showB = !this.showB;
    this.applyFlicker();
    this.announce(`Showing ${this.pairName(this.showB ? 1 : 0)}`);
    this.schedule();
    this.opts.onViewChange?.();
  }

  private applyFlicker(): void {
    const port = this.ports[0];
    if (this.mode !== 'flicker' || !port) return;
    port.slots.forEach((s, k) => {
      const shown = (k === 1) === this.showB;
      s.img?.classList.toggle('cmp-hidden', !shown);
      s.tiles?.el.classList.toggle('cmp-hidden', !shown);
      s.placeholder.classList.toggle('cmp-hidden', !shown);
    });
    port.el.dataset.showing = this.showB ? 'B' : 'A';
    this.stage.querySelectorAll<HTMLElement>('.cmp-ab').forEach((el) => el.classList.toggle('cmp-current', el.dataset.ab === (this.showB ? 'B' : 'A')));
  }

  private pairName(k: 0 | 1): string {
    const s = this.slots[this.pair[k]];
    return `${s.image.caption.toLowerCase()} (${k === 0 ? 'A' : 'B'})`;
  }

  private setPair(pair: [number, number]): void {
    if (pair[0] === pair[1] || pair.some((i) => !(i >= 0 && i < this.slots.length))) {
      this.fillPickers();
      return;
    }
    this.pair = pair;
    this.showB = false;
    this.fillPickers();
    if (this.mode !== 'side') this.build();
    this.announce(`Pair: ${this.pairName(0)} and ${this.pairName(1)}`);
  }

  private nextPair(): void {
    const n = this.slots.length;
    if (n < 3) return;
    const pairs: [number, number][] = [];
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push([i, j]);
    const k = pairs.findIndex(([i, j]) => i === this.pair[0] && j === this.pair[1]);
    this.setPair(pairs[(k + 1) % pairs.length]);
  }

  private fillPickers(): void {
    for (const [sel, k] of [
      [this.pickA, 0],
      [this.pickB, 1],
    ] as const) {
      clear(sel);
      this.slots.forEach((s, i) => sel.append(h('option', { value: i, selected: i === this.pair[k] }, s.image.caption)));
    }
  }

  // ------------------------------------------------------------------------------------------
  // Pictures

  private async load(s: Slot, gen: number): Promise<void> {
    if (s.fault) return;
    const src = s.image.preview?.src ?? s.image.full?.src;
    if (!src) {
      this.fail(s, { title: 'Image not available', reason: `no picture was given for ${s.image.path}` });
      return;
    }
    const ahead = this.decoded.get(src);
    this.decoded.delete(src);
    const img = ahead ? this.adopt(s, ahead.img) : this.makeImg(s);
    if (!ahead) img.src = src;
    try {
      await (ahead?.ready ?? img.decode());
    } catch {
      if (gen === this.generation) this.fail(s, { title: 'Image could not be decoded', reason: `the browser could not decode ${s.image.path}` });
      return;
    }
    if (gen !== this.generation) return;
    if (!s.size) s.size = { width: img.naturalWidth, height: img.naturalHeight };
    s.srcWidth = s.image.preview ? img.naturalWidth : s.size.width;
    if (!s.image.preview) s.fullState = 'loaded';
    this.place(s, img, s.image.preview ? 'preview' : 'full', gen);
  }

  private async loadFull(s: Slot, gen: number): Promise<void> {
    s.fullState = 'loading';
    const img = this.makeImg(s);
    img.src = s.image.full!.src;
    try {
      await img.decode();
    } catch {
      if (gen === this.generation) {
        s.fullState = 'failed';
        this.fail(s, { title: 'Image could not be decoded', reason: `the browser could not decode the full-size ${s.image.path}` });
      }
      return;
    }
    if (gen !== this.generation) return;
    s.fullState = 'loaded';
    s.srcWidth = img.naturalWidth;
    this.place(s, img, 'full', gen);
  }

  /**
   * While the preview is magnified, shows the full-resolution tiles the viewport covers (asking the host
   * for the ones not yet here, then for one ring around them, for a pan) in a layer over the preview, which
   * stays beneath as the picture until they are decoded. Reports a 'full' paint once every visible tile is painted.
   */
  private updateTiles(s: Slot, view: { x: number; y: number; scale: number }, port: Port, magnified: boolean): void {
    const src = s.image.tiles!;
    if (!magnified) {
      s.img?.classList.remove('cmp-covered');
      s.tiles?.el.classList.add('cmp-off');
      if (s.tiles) s.tiles.reported = '';
      return;
    }
    const size = s.size!;
    let layer = s.tiles;
    if (!layer) {
      const el = h('div', { class: 'cmp-tiles', 'data-ordinal': s.image.ordinal, 'aria-hidden': 'true' });
      el.style.width = `${size.width}px`;
      el.style.height = `${size.height}px`;
      layer = s.tiles = { el, have: new Set(), pending: new Set(), loading: new Set(), ready: [], reported: '' };
      if (s.img?.classList.contains('cmp-hidden')) el.classList.add('cmp-hidden');
      (s.img ?? s.placeholder).after(el);
    }
    layer.el.classList.remove('cmp-off');
    const t = layerTransform(view, size, size.width, port);
    // At a whole-number zoom, whole device pixels: each tile is then copied, not resampled, when composited.
    const dpr = window.devicePixelRatio || 1;
    const whole = Math.abs(t.k * dpr - Math.round(t.k * dpr)) < 1e-6;
    const snap = (v: number) => (whole ? Math.round(v * dpr) / dpr : v);
    layer.el.style.transform = `translate3d(${snap(t.tx)}px, ${snap(t.ty)}px, 0) scale(${t.k})`;
    layer.el.classList.toggle('cmp-pixels', view.scale > 1.001);
    const visible = visibleTiles(view, size, port, src.size);
    const key = (c: number, r: number) => `${c},${r}`;
    const visibleKey = visible.map(([c, r]) => key(c, r)).join(' ');
    const absent = ([c, r]: [number, number]) => !layer.have.has(key(c, r)) && !layer.pending.has(key(c, r));
    const missing = visible.filter(absent);
    if (missing.length) void this.fetchTiles(s, layer, missing, this.generation);
    const complete = visible.every(([c, r]) => layer.have.has(key(c, r)));
    // The preview beneath a full cover of tiles is not drawn (one layer less to composite per frame).
    s.img?.classList.toggle('cmp-covered', complete);
    // Once what shows is painted (never before: it would compete for the decoder), the rings around it, one
    // at a time (ringTiles() deep), so a pan finds its tiles loaded rather than loading them in its frames.
    if (complete && !layer.pending.size) {
      for (let m = 1; m <= ringTiles(); m++) {
        const ring = visibleTiles(view, size, port, src.size, m).filter(absent);
        if (!ring.length) continue;
        void this.fetchTiles(s, layer, ring, this.generation);
        break;
      }
    }
    if (layer.reported !== visibleKey && complete) {
      layer.reported = visibleKey;
      const gen = this.generation;
      requestAnimationFrame(() =>
        requestAnimationFrame(() => {
          if (gen !== this.generation || s.tiles !== layer) return;
          layer.el.dataset.painted = 'true';
          this.opts.onPaint?.(s.image.ordinal, 'full');
        }),
      );
    }
  }

  /** Stops loading the tiles of the group being left (they would compete with the next group's pictures). */
  private dropTileLoads(): void {
    for (const s of this.slots) {
      for (const img of s.tiles?.loading ?? []) img.removeAttribute('src');
      s.tiles?.loading.clear();
    }
  }

  private async fetchTiles(s: Slot, layer: TileLayer, wanted: [number, number][], gen: number): Promise<void> {
    const src = s.image.tiles!;
    for (const [c, r] of wanted) layer.pending.add(`${c},${r}`);
    let inserted = false;
    try {
      const got = await this.opts.tiles!.fetch(src.id, wanted);
      if (gen !== this.generation || s.tiles !== layer) return;
      const imgs = got.map((t) => {
        const img = h('img', { class: 'cmp-tile', alt: '', decoding: 'async', draggable: 'false' });
        img.style.left = `${t.col * src.size}px`;
        img.style.top = `${t.row * src.size}px`;
        img.src = t.src;
        layer.loading.add(img);
        return { t, img };
      });
      try {
        await Promise.all(imgs.map(({ img }) => img.decode()));
      } finally {
        for (const { img } of imgs) layer.loading.delete(img);
      }
      if (gen !== this.generation || s.tiles !== layer) return;
      for (const { t, img } of imgs) layer.ready.push({ key: `${t.col},${t.row}`, img });
      inserted = true;
      this.insertTiles();
    } catch {
      if (gen !== this.generation || s.tiles !== layer) return;
      // The host could not cut them (or the browser not decode them): fall back to the whole picture.
      s.fullState = 'none';
      layer.el.remove();
      s.tiles = undefined;
      s.image = { ...s.image, tiles: undefined };
    } finally {
      // Decoded tiles stay pending until inserted.
      if (!inserted) for (const [c, r] of wanted) layer.pending.delete(`${c},${r}`);
    }
    this.schedule();
  }

  /**
   * Puts decoded tiles into their layers: at once, unless a pan is under way — then from an idle callback
   * (after a frame, when the browser has time left), all waiting tiles in one batch, so a pan frame never
   * pays for a tile insertion (style, paint, raster of the new tiles) in its own budget.
   */
  private insertTiles(): void {
    if (performance.now() >= this.panningUntil) {
      this.flushTiles();
      return;
    }
    if (this.idle) return;
    this.idle = requestIdleCallback(
      () => {
        this.idle = 0;
        this.flushTiles();
      },
      { timeout: 250 },
    );
  }

  private flushTiles(): void {
    for (const s of this.slots) {
      const layer = s.tiles;
      if (!layer?.ready.length) continue;
      const batch = document.createDocumentFragment();
      for (const { key, img } of layer.ready) {
        batch.append(img);
        layer.pending.delete(key);
        layer.have.add(key);
      }
      layer.ready = [];
      layer.el.append(batch);
    }
    this.schedule();
  }

  private makeImg(s: Slot): HTMLImageElement {
    return this.adopt(s, h('img', { decoding: 'async' }));
  }

  private adopt(s: Slot, img: HTMLImageElement): HTMLImageElement {
    img.className = 'cmp-img';
    img.alt = `${s.image.caption}: ${s.image.path}`;
    img.dataset.ordinal = String(s.image.ordinal);
    img.draggable = false;
    return img;
  }

  /** Puts a decoded picture in place of the previous one, then marks it painted after the next frame. */
  private place(s: Slot, img: HTMLImageElement, source: 'preview' | 'full', gen: number): void {
    const old = s.img;
    s.img = img;
    s.source = source;
    img.dataset.source = source;
    if (old?.classList.contains('cmp-hidden')) img.classList.add('cmp-hidden');
    if (old?.parentElement) old.replaceWith(img);
    else s.placeholder.after(img);
    this.apply();
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        if (gen !== this.generation || s.img !== img) return;
        s.painted = true;
        img.dataset.painted = 'true';
        s.placeholder.classList.add('cmp-painted');
        this.opts.onPaint?.(s.image.ordinal, source);
      }),
    );
    if (this.mode === 'flicker') this.applyFlicker();
  }

  private fail(s: Slot, fault: { title: string; reason: string }): void {
    s.fault = fault;
    s.img?.remove();
    s.img = undefined;
    s.tiles?.el.remove();
    s.tiles = undefined;
    this.showFault(s);
    this.schedule();
  }

  private showFault(s: Slot): void {
    const f = s.fault!;
    clear(s.placeholder);
    s.placeholder.className = 'cmp-placeholder cmp-fault';
    s.placeholder.removeAttribute('aria-hidden');
    s.placeholder.setAttribute('role', 'img');
    s.placeholder.setAttribute('aria-label', `${s.image.caption} not shown: ${f.title}: ${f.reason}`);
    s.placeholder.dataset.ordinal = String(s.image.ordinal);
    s.placeholder.append(
      h('span', { class: 'cmp-fault-title' }, f.title),
      h('span', { class: 'cmp-fault-path' }, s.image.path),
      h('span', { class: 'cmp-fault-reason' }, f.reason),
    );
    if (!s.size) s.size = { width: 4, height: 3 };
  }

  // ------------------------------------------------------------------------------------------
  // Pointer

  private wirePointer(port: Port): void {
    const el = port.el;
    const slotAt = () => (this.mode === 'flicker' ? this.slots[this.showB ? this.pair[1] : this.pair[0]] : port.slots[0]);
    let last: { x: number; y: number; id: number } | undefined;
    el.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      this.el.focus({ preventScroll: true });
      el.setPointerCapture(e.pointerId);
      last = { x: e.clientX, y: e.clientY, id: e.pointerId };
      el.classList.add('cmp-dragging');
    });
    el.addEventListener('pointermove', (e) => {
      if (!last || e.pointerId !== last.id) return;
      const dx = e.clientX - last.x,
        dy = e.clientY - last.y;
      last = { x: e.clientX, y: e.clientY, id: e.pointerId };
      const s = slotAt();
      if (s) this.panPort(s, dx, dy);
    });
    const end = () => {
      last = undefined;
      el.classList.remove('cmp-dragging');
    };
    el.addEventListener('pointerup', end);
    el.addEventListener('pointercancel', end);
    el.addEventListener(
      'wheel',
      (e) => {
        const s = slotAt();
        const ref = this.refSize();
        if (!s?.size || !ref) return;
        e.preventDefault();
        const r = el.getBoundingClientRect();
        const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? r.height : 1;
        const factor = Math.exp((-e.deltaY * unit) / 500);
        this.setState(zoomAbout(this.state, this.sync, s.size, ref, port, factor, e.clientX - r.left - r.width / 2, e.clientY - r.top - r.height / 2));
      },
      { passive: false },
    );
    el.addEventListener('dblclick', (e) => {
      const s = slotAt();
      const ref = this.refSize();
      if (!s?.size || !ref) return;
      if (!this.state.fit) {
        this.setState(FIT);
        return;
      }
      const r = el.getBoundingClientRect();
      const cur = imageView(this.state, this.sync, s.size, ref, port);
      const target = this.sync === 'pixels' ? 1 : ref.width / s.size.width;
      this.setState(
        zoomAbout(this.state, this.sync, s.size, ref, port, target / cur.scale, e.clientX - r.left - r.width / 2, e.clientY - r.top - r.height / 2),
      );
    });
  }

  private announce(text: string): void {
    this.status.textContent = text;
  }
}

function round(n: number, digits = 3): string {
  return String(Number(n.toFixed(digits)));
}

function setAttr(el: Element, name: string, value: string): void {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}
