/**
 * The item pane every mode shares (ARCHITECTURE.md › Webview): toolbar (title, progress, save
 * status, go-to box), banners, the item with its images and model answers, the lightbox, the
 * navigation keys, and where keyboard focus is. A mode controller (reviewController.ts,
 * browseController.ts, previewController.ts) says what a position is and how to fetch its item;
 * the pane shows it. Items are fetched once and the neighbours ahead of time.
 */
import * as P from '../src/protocol';
import type { WebviewChannel } from './channel';
import { clear, h, imageCaption, setText } from './elements';
import { CompareView, type CompareImage } from './compare/compareView';
import { PROBLEM_TITLES, renderItem, renderProblem } from './itemView';
import { Lightbox } from './lightbox';
import { ModelAnswers } from './modelAnswers';

/** What one mode decides; the pane calls it. */
export interface ModeController {
  /** Number of positions (plan size, filtered list length, records). */
  readonly length: number;
  /** The item at a position (undefined: nothing there, e.g. a list row not loaded). */
  itemAt(pos: number): Promise<P.ItemResult | undefined>;
  /** Whether the neighbours are fetched ahead (the preview follows a cursor: no). */
  readonly prefetch: boolean;
  /** Extra facts shown above the item. */
  meta(pos: number): [string, string][];
  /** Called as the pane starts moving to `pos`, before its item arrives. */
  moving(pos: number): void;
  /** Called when the item at `pos` is on screen (verdict line, list selection…). */
  shown(pos: number, item: P.ItemView | undefined): void;
  renderProgress(): void;
  /** Shown beside the label of every item (review: the claims panel). */
  readonly labelAside?: HTMLElement;
  /** Mode-specific key actions; returns false for the pane's own (move, enlarge, find). */
  onKey(action: P.KeyAction, key?: string): boolean;
  /** The go-to box found a record (dataset index). */
  goToRecord(index: number): Promise<void>;
  /** What the mode keeps across hide and reload, besides the position. */
  persisted(): Omit<P.PersistedState, 'position'>;
  dispose(): void;
}

export type Timings = { show: number[]; save: number[]; saveHost: number[] };

export function timings(): Timings {
  return (window.__curatorTimings ??= { show: [], save: [], saveHost: [] });
}

export class ItemPane {
  position = 0;
  current: P.ItemView | undefined;
  controller!: ModeController;
  private showSeq = 0;
  private readonly cache = new Map<string, Promise<P.ItemResult>>();

  readonly header = h('header', { class: 'toolbar' });
  readonly title = h('div', { class: 'title' });
  readonly progressEl = h('div', { class: 'progress', role: 'status', 'aria-live': 'polite' });
  readonly statusEl = h('div', { class: 'save-status', role: 'status', 'aria-live': 'polite' });
  readonly jump = h('input', { class: 'jump', type: 'text', placeholder: 'Go to index, #index or id', 'aria-label': 'Go to item', spellcheck: false });
  readonly banner = h('div', { class: 'banners' });
  readonly verdictEl = h('div', { class: 'verdict', 'aria-live': 'polite', hidden: true });
  readonly noteBox = h('div', { class: 'note-box', hidden: true });
  readonly itemEl = h('section', { class: 'item', 'aria-label': 'Item' });
  readonly main = h('main', { class: 'body' });
  private readonly lightbox = new Lightbox(() => this.reportFocus());
  /** The compare view while compare mode is on (z or the Compare button); it replaces the image grid. */
  private compare: CompareView | undefined;
  readonly compareButton = h(
    'button',
    { type: 'button', class: 'compare-toggle', 'aria-pressed': 'false', title: 'Compare the images at the pixel: zoom, flicker, swipe (z)' },
    'Compare',
  );
  readonly answers: ModelAnswers;
  private readonly subs: (() => void)[] = [];

  constructor(
    readonly ch: WebviewChannel<P.PersistedState>,
    readonly init: P.InitState,
    readonly app: HTMLElement,
  ) {
    this.answers = new ModelAnswers(
      (key, index) => ch.command(P.AskModel, { key, index }),
      (key, index) => ch.command(P.ModelAnswersWanted, { key, index }),
      (key, direction) => ch.command(P.NextModelDisagreement, { key, direction }),
    );
    this.subs.push(
      ch.on(P.KeyPressed, ({ action, key }) => this.onKey(action, key)),
      ch.on(P.ModelAnswer, (v) => this.answers.update(v)),
    );
    this.compareButton.addEventListener('click', () => this.toggleCompare());
    this.jump.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        void this.goTo(this.jump.value);
      } else if (e.key === 'Escape') {
        this.jump.value = '';
        this.jump.blur();
      }
    });
  }

  /** Lays out the page: the controller adds its side list, verdict line and footer around it. */
  layout(opts: { subtitle: string; jump: boolean; side?: HTMLElement; footer?: HTMLElement }): void {
    const { mode, dataset, plan } = this.init;
    clear(this.app);
    this.app.dataset.mode = mode;
    this.app.className = `mode-${mode}`;
    setText(this.title, plan ? `Spot check ${plan.name}` : dataset.name);
    this.title.title = dataset.path;
    this.header.append(
      h('div', { class: 'heading' }, this.title, h('div', { class: 'subtitle' }, opts.subtitle)),
      this.progressEl,
      this.statusEl,
      this.compareButton,
    );
    if (opts.jump) this.header.append(this.jump);
    for (const w of this.init.warnings) this.banner.append(h('div', { class: 'warning', role: 'alert' }, w));
    if (this.init.readOnly && this.init.readOnlyReason) this.banner.append(h('div', { class: 'warning readonly' }, this.init.readOnlyReason));
    const pane = h('div', { class: 'item-pane', tabindex: -1 }, this.banner, this.verdictEl, this.noteBox, this.itemEl);
    if (opts.side) this.main.append(opts.side);
    this.main.append(pane);
    this.app.append(this.header, this.main, this.lightbox.el);
    if (opts.footer) this.app.append(opts.footer);
  }

  /** Fetches an item once (by a key the controller chooses) and keeps the last 64. */
  fetch(cacheKey: string, request: () => Promise<P.ItemResult>): Promise<P.ItemResult> {
    let r = this.cache.get(cacheKey);
    if (!r) {
      r = request();
      r.catch(() => this.cache.delete(cacheKey));
      this.cache.set(cacheKey, r);
      if (this.cache.size > 64) this.cache.delete(this.cache.keys().next().value!);
    }
    return r;
  }

  dropFetched(): void {
    this.cache.clear();
  }

  async show(pos: number): Promise<void> {
    const c = this.controller;
    if (c.length === 0) return;
    const t0 = performance.now();
    pos = Math.max(0, Math.min(pos, c.length - 1));
    this.position = pos;
    const seq = ++this.showSeq;
    c.moving(pos);
    c.renderProgress();
    const r = await c.itemAt(pos);
    if (!r || seq !== this.showSeq) return;
    this.lightbox.close();
    if (r.item) {
      this.current = r.item;
      this.renderCurrent(c.meta(pos), r.changed);
    } else {
      this.current = undefined;
      renderProblem(this.itemEl, r.problem ?? { index: pos, message: 'unknown problem' });
    }
    this.answers.attach(this.itemEl, r.item);
    this.itemEl.dataset.position = String(pos);
    c.shown(pos, r.item);
    this.saveState();
    this.ch.command(P.PositionChanged, { position: pos, key: r.item?.key });
    timings().show.push(performance.now() - t0);
    if (c.prefetch) {
      void this.prefetch(pos + 1, true);
      void this.prefetch(pos - 1);
    }
  }

  /** Shows that nothing is there (an empty filter result). */
  showNothing(text: string): void {
    this.current = undefined;
    clear(this.itemEl);
    this.itemEl.append(h('p', { class: 'muted' }, text));
    this.saveState();
  }

  /** Fetches the item at `pos` ahead; in compare mode the host also cuts the tiles of the next item's first zoom. */
  private async prefetch(pos: number, next = false): Promise<void> {
    if (pos < 0 || pos >= this.controller.length) return;
    const seq = this.showSeq;
    const r = await this.controller.itemAt(pos).catch(() => undefined);
    // Warm the image cache too, so the next item appears with its pictures (tiles: only while it is still the next one).
    if (this.compare && r?.item) this.compare.prefetch(compareImages(r.item), { next: next && seq === this.showSeq });
    else for (const im of r?.item?.images ?? []) if (im.ok) new Image().src = im.src;
  }

  /** Renders the current item: the image grid, or the compare view in its place (kept focused across items). */
  private renderCurrent(meta: [string, string][], notice?: string): void {
    const item = this.current;
    if (!item) return;
    const hadFocus = !!this.compare && this.compare.el.contains(document.activeElement);
    renderItem(this.itemEl, item, { meta, notice, onEnlarge: (i) => this.enlarge(i), imagesSlot: this.compare?.el, labelAside: this.controller.labelAside });
    if (this.compare) {
      this.fitCompare();
      this.compare.show(compareImages(item));
      if (hadFocus) this.compare.el.focus({ preventScroll: true });
    }
  }

  /** The compare view takes the height left below the text (at least 260 px; the pane scrolls past that). */
  private fitCompare(): void {
    const el = this.compare?.el;
    const pane = el?.closest('.item-pane');
    if (!el || !pane) return;
    const top = el.getBoundingClientRect().top - pane.getBoundingClientRect().top + pane.scrollTop;
    el.style.height = `${Math.max(260, pane.clientHeight - top - 12)}px`;
  }

  private readonly onResize = () => this.fitCompare();

  /** Compare mode on or off (z, the Compare button; Escape inside the compare view turns it off). */
  toggleCompare(on = !this.compare): void {
    if (on === !!this.compare) return;
    if (on) {
      const cv = new CompareView({
        tiles: {
          fetch: async (id, tiles) => (await this.ch.request(P.GetTiles, { id, tiles })).tiles,
          warm: (ids, cut) => this.ch.command(P.WarmTiles, { ids, cut }),
        },
      });
      window.addEventListener('resize', this.onResize);
      cv.el.addEventListener('keydown', (e) => {
        if (e.key === 'Escape' && !e.defaultPrevented) {
          e.preventDefault();
          this.toggleCompare(false);
        }
      });
      this.compare = cv;
    } else {
      window.removeEventListener('resize', this.onResize);
      this.compare!.destroy();
      this.compare = undefined;
    }
    this.compareButton.setAttribute('aria-pressed', String(on));
    this.app.dataset.compare = String(on);
    if (this.current) this.renderCurrent(this.controller.meta(this.position), undefined);
    if (this.compare) this.compare.el.focus({ preventScroll: true });
    else this.focusItem();
    // The next item was fetched ahead before compare mode: ask for its tiles now.
    if (this.compare && this.current && this.controller.prefetch) void this.prefetch(this.position + 1, true);
    this.answers.attach(this.itemEl, this.current);
  }

  saveState(): void {
    this.ch.state = { position: this.position, ...this.controller.persisted() };
  }

  flash(text: string, level: 'info' | 'error' = 'info'): void {
    this.statusEl.replaceChildren(h('span', { class: `flash flash-${level}` }, text));
  }

  private enlarge(i: number): void {
    const item = this.current;
    if (!item) return;
    const n = item.images.length;
    const shown = item.images
      .map((im, k) => (im.ok ? { src: im.src, path: im.path, caption: imageCaption(k, n), k } : undefined))
      .filter((x): x is NonNullable<typeof x> => !!x);
    const at = Math.max(
      0,
      shown.findIndex((s) => s.k === i),
    );
    this.lightbox.show(shown, at);
  }

  private async goTo(q: string): Promise<void> {
    const r = await this.ch.request(P.Find, { query: q });
    if (r.index === undefined) {
      this.flash(r.message ?? 'not found', 'error');
      return;
    }
    this.jump.value = '';
    this.jump.blur();
    await this.controller.goToRecord(r.index);
    this.focusItem();
  }

  private onKey(action: P.KeyAction, key?: string): void {
    // A key the host forwarded while the reviewer is typing (the focus report had not reached the
    // host yet) was text, not a command: only Escape still acts.
    if (action !== 'escape' && this.typing()) return;
    if (this.lightbox.open && action !== 'enlarge') this.lightbox.close();
    if (this.controller.onKey(action, key)) return;
    switch (action) {
      case 'next':
        void this.show(this.position + 1);
        break;
      case 'prev':
        void this.show(this.position - 1);
        break;
      case 'first':
        void this.show(0);
        break;
      case 'last':
        void this.show(this.controller.length - 1);
        break;
      case 'enlarge':
        if (this.lightbox.open) this.lightbox.close();
        else this.enlarge(0);
        break;
      case 'compare':
        this.toggleCompare();
        break;
      case 'find':
        this.jump.focus();
        this.jump.select();
        break;
      default:
        break;
    }
  }

  focusItem(): void {
    (this.app.querySelector('.item-pane') as HTMLElement | null)?.focus({ preventScroll: true });
    this.reportFocus();
  }

  private lastFocus: P.FocusArea | undefined;

  /** Tells the host where keyboard focus is (it sets the curator.focus context key), so review keys only fire when not typing. */
  private typing(): boolean {
    const a = document.activeElement;
    return !!a && (a.tagName === 'INPUT' || a.tagName === 'TEXTAREA' || a.tagName === 'SELECT' || (a as HTMLElement).isContentEditable);
  }

  reportFocus(): void {
    const area: P.FocusArea = !document.hasFocus() ? 'none' : this.typing() ? 'input' : 'item';
    if (area === this.lastFocus) return;
    this.lastFocus = area;
    this.app.dataset.focus = area;
    this.ch.command(P.FocusChanged, { area });
  }

  dispose(): void {
    this.showSeq++;
    this.compare?.destroy();
    window.removeEventListener('resize', this.onResize);
    this.controller?.dispose();
    for (const s of this.subs) s();
  }
}

export function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KB`;
  return `${n} B`;
}

/** An item's images as the compare view takes them: previews for fit, full-size pictures for 1:1, faults named. */
export function compareImages(item: P.ItemView): CompareImage[] {
  const n = item.images.length;
  return item.images.map((im, i): CompareImage => {
    const base = { ordinal: i + 1, caption: imageCaption(i, n), path: im.path };
    if (!im.ok) return { ...base, fault: { title: PROBLEM_TITLES[im.problem] ?? 'Image refused', reason: im.reason } };
    return {
      ...base,
      width: im.width,
      height: im.height,
      preview: im.full && im.srcWidth && im.srcHeight ? { src: im.src, width: im.srcWidth, height: im.srcHeight } : undefined,
      full: { src: im.full ?? im.src },
      tiles: im.tiles,
    };
  });
}
