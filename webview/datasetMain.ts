/**
 * The curator webview: browse a dataset, review a spot check, or preview the item at a text
 * editor's cursor. Talks to the host only through src/protocol.ts; keys arrive from contributed
 * keybindings as KeyPressed notifications (no global key listeners for actions).
 */
import * as P from '../src/protocol';
import { BrowseList } from './browseList';
import { WebviewChannel, type VsCodeApi } from './channel';
import { clear, h, imageCaption, setText } from './elements';
import { renderItem, renderProblem } from './itemView';
import { Lightbox } from './lightbox';
import { ModelAnswers } from './modelAnswers';

type Local = { verdict: P.Verdict; note?: string; state: 'saving' | 'saved' | 'failed'; error?: string };

declare global {
  interface Window {
    /** Tests inject a fake VS Code API before the bundle runs. */
    __curatorApi?: VsCodeApi<P.PersistedState>;
    /** Round-trip times in ms (item request → rendered; mark → host confirmed on disk), for the bench. */
    __curatorTimings?: { show: number[]; save: number[]; saveHost: number[] };
  }
}

class CuratorApp {
  private readonly ch = new WebviewChannel<P.PersistedState>(window.__curatorApi);
  private init!: P.InitState;
  private position = 0;
  private current: P.ItemView | undefined;
  private readonly verdicts = new Map<string, Local>();
  private readonly draftNotes = new Map<string, string>();
  private progress: P.Progress | undefined;
  private showSeq = 0;
  private filter: P.BrowseFilter = {};
  private list: BrowseList | undefined;

  private readonly app = document.getElementById('app')!;
  private readonly header = h('header', { class: 'toolbar' });
  private readonly title = h('div', { class: 'title' });
  private readonly progressEl = h('div', { class: 'progress', role: 'status', 'aria-live': 'polite' });
  private readonly statusEl = h('div', { class: 'save-status', role: 'status', 'aria-live': 'polite' });
  private readonly jump = h('input', { class: 'jump', type: 'text', placeholder: 'Go to index, #index or id', 'aria-label': 'Go to item', spellcheck: false });
  private readonly banner = h('div', { class: 'banners' });
  private readonly verdictEl = h('div', { class: 'verdict', 'aria-live': 'polite' });
  private readonly noteBox = h('div', { class: 'note-box', hidden: true });
  private readonly noteInput = h('input', { class: 'note-input', type: 'text', placeholder: 'Note for this item — Enter saves, Escape cancels', 'aria-label': 'Note' });
  private readonly itemEl = h('section', { class: 'item', 'aria-label': 'Item' });
  private readonly savedLog = h('ol', { class: 'saved-log', 'aria-label': 'Verdicts saved in this session' });
  private readonly lightbox = new Lightbox(() => this.reportFocus());
  private readonly answers = new ModelAnswers((key, index) => this.ch.command(P.AskModel, { key, index }), (key, index) => this.ch.command(P.ModelAnswersWanted, { key, index }), (key, direction) => this.ch.command(P.NextModelDisagreement, { key, direction }));

  async start(): Promise<void> {
    this.ch.on(P.KeyPressed, ({ action }) => this.onKey(action));
    this.ch.on(P.ShowIndex, ({ index }) => { void this.showDatasetIndex(index); });
    this.ch.on(P.Refresh, () => { void this.restart(); });
    this.ch.on(P.ModelAnswer, (v) => this.answers.update(v));
    this.ch.on(P.ModelDisagreements, ({ keys }) => this.answers.setDisagreements(keys));
    this.watchFocus();
    this.jump.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') { e.preventDefault(); void this.goTo(this.jump.value); }
      else if (e.key === 'Escape') { this.jump.value = ''; this.jump.blur(); }
    });
    this.noteInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') { e.preventDefault(); void this.saveNote(); }
      else if (e.key === 'Escape') { e.preventDefault(); this.closeNote(); }
    });
    await this.load();
  }

  /** The host's view changed underneath (another reviewer, the file changed): start over. */
  private async restart(): Promise<void> {
    this.app.dataset.state = 'loading';
    this.verdicts.clear();
    this.draftNotes.clear();
    this.itemCache.clear();
    this.progress = undefined;
    this.current = undefined;
    for (const el of [this.header, this.banner, this.verdictEl, this.itemEl, this.savedLog, this.noteBox]) clear(el);
    await this.load();
  }

  private async load(): Promise<void> {
    const state = this.ch.state;
    this.init = await this.ch.request(P.Ready, { state });
    this.layout();
    if (this.init.mode === 'browse') {
      this.filter = state?.filter ?? {};
      await this.applyFilter(state?.browseIndex ?? this.init.start, state?.scrollTop);
    } else {
      await this.show(this.init.start);
    }
    this.app.dataset.state = 'ready';
    this.reportFocus();
  }

  // ------------------------------------------------------------------------------------------
  // Layout

  private layout(): void {
    const { mode, dataset, plan } = this.init;
    clear(this.app);
    this.app.dataset.mode = mode;
    this.app.className = `mode-${mode}`;
    setText(this.title, plan ? `Spot check ${plan.name}` : dataset.name);
    this.title.title = dataset.path;
    const sub = h('div', { class: 'subtitle' }, plan
      ? `${dataset.name} · ${plan.size} items · seed ${plan.seed} · strata ${plan.strata} · reviewer ${plan.reviewer}`
      : `${dataset.format} · ${dataset.count.toLocaleString('en')} records · ${formatBytes(dataset.bytes)}`);
    this.header.append(h('div', { class: 'heading' }, this.title, sub), this.progressEl, this.statusEl);
    if (mode !== 'preview') this.header.append(this.jump);

    this.noteBox.replaceChildren(h('label', {}, 'Note '), this.noteInput);
    for (const w of this.init.warnings) this.banner.append(h('div', { class: 'warning', role: 'alert' }, w));
    if (this.init.readOnly && this.init.readOnlyReason) this.banner.append(h('div', { class: 'warning readonly' }, this.init.readOnlyReason));

    const main = h('main', { class: 'body' });
    const pane = h('div', { class: 'item-pane', tabindex: -1 }, this.banner, this.verdictEl, this.noteBox, this.itemEl);
    if (mode === 'browse') main.append(this.buildBrowseSide());
    main.append(pane);
    this.app.append(this.header, main, this.lightbox.el);
    if (mode === 'review') {
      this.app.append(h('footer', { class: 'keys' },
        this.init.readOnly ? 'Read-only: ←/→ move' : 'c correct · x incorrect · s skip · n note · u/Backspace undo · ←/→ move · e enlarge · g go to',
        h('details', { class: 'saved-log-box' }, h('summary', {}, 'Saved in this session'), this.savedLog)));
      this.renderProgress();
    } else if (mode === 'browse') {
      this.app.append(h('footer', { class: 'keys' }, '←/→ move · Home/End first/last · e enlarge · g go to · click an image to enlarge'));
    }
  }

  private buildBrowseSide(): HTMLElement {
    const f = this.filter;
    const group = select('Group size', [['', 'any'], ['1', '1 image'], ['2', '2 images'], ['3', '3 images'], ['4', '4+ images']], f.groupSize === undefined ? '' : String(f.groupSize));
    const subset = select('Subset', [['', 'any'], ...this.init.subsets.map((s) => [s, s] as [string, string])], f.subset ?? '');
    const verdict = select('Verdict', [['any', 'any'], ['judged', 'judged'], ['unjudged', 'not judged'], ['correct', 'correct'], ['incorrect', 'incorrect'], ['skip', 'skipped']], f.verdict ?? 'any');
    const text = h('input', { type: 'search', class: 'filter-text', placeholder: 'Search text', 'aria-label': 'Search text', value: f.text ?? '' });
    const countEl = h('div', { class: 'match-count' });
    const apply = () => {
      this.filter = {
        groupSize: group.select.value ? Number(group.select.value) : undefined,
        subset: subset.select.value || undefined,
        verdict: (verdict.select.value || 'any') as P.VerdictFilter,
        text: text.value.trim() || undefined,
      };
      void this.applyFilter(0);
    };
    for (const s of [group.select, subset.select, verdict.select]) s.addEventListener('change', apply);
    let t: ReturnType<typeof setTimeout> | undefined;
    text.addEventListener('input', () => { if (t) clearTimeout(t); t = setTimeout(apply, 350); });
    text.addEventListener('keydown', (e) => { if (e.key === 'Enter') { if (t) clearTimeout(t); apply(); } });
    this.list = new BrowseList(
      async (filterId, offset, limit) => (await this.ch.request(P.ListPage, { filterId, offset, limit })).rows,
      (pos) => { void this.show(pos); },
    );
    this.matchCount = countEl;
    return h('aside', { class: 'side' }, h('div', { class: 'filters' }, group.el, subset.el, verdict.el, text, countEl), this.list.el);
  }

  private matchCount: HTMLElement | undefined;

  // ------------------------------------------------------------------------------------------
  // Browse

  private async applyFilter(startIndex: number, scrollTop?: number): Promise<void> {
    const r = await this.ch.request(P.Query, { filter: this.filter });
    this.list!.reset(r.filterId, r.matches);
    if (this.matchCount) setText(this.matchCount, r.matches === r.total ? `${r.total.toLocaleString('en')} records` : `${r.matches.toLocaleString('en')} of ${r.total.toLocaleString('en')} match`);
    if (scrollTop !== undefined) this.list!.scrollTop = scrollTop;
    if (r.matches === 0) {
      this.current = undefined;
      clear(this.itemEl);
      this.itemEl.append(h('p', { class: 'muted' }, 'No record matches the filter.'));
      this.saveState();
      return;
    }
    // Without a filter, list positions are dataset indices; with one, start at the first match.
    const unfiltered = r.matches === r.total;
    await this.show(unfiltered ? Math.min(startIndex, r.total - 1) : 0);
  }

  // ------------------------------------------------------------------------------------------
  // Showing items

  /** Number of positions: plan size (review), list length (browse), records (preview). */
  private get length(): number {
    if (this.init.mode === 'review') return this.init.plan!.size;
    if (this.init.mode === 'browse') return this.list?.length ?? this.init.dataset.count;
    return this.init.dataset.count;
  }

  private async datasetIndexAt(pos: number): Promise<number | undefined> {
    if (this.init.mode === 'review') return pos;
    if (this.init.mode === 'preview') return pos;
    const row = await this.list!.rowAt(pos);
    return row?.index;
  }

  async show(pos: number): Promise<void> {
    if (this.length === 0) return;
    const t0 = performance.now();
    pos = Math.max(0, Math.min(pos, this.length - 1));
    this.position = pos;
    const seq = ++this.showSeq;
    if (this.init.mode === 'browse') this.list?.select(pos);
    this.renderProgress();
    const index = await this.datasetIndexAt(pos);
    if (index === undefined || seq !== this.showSeq) return;
    const r = await this.fetchItem(index);
    if (seq !== this.showSeq) return;
    this.lightbox.close();
    this.closeNote(false);
    const meta: [string, string][] = [];
    if (this.init.mode === 'review') {
      const pi = this.init.plan!.items[pos];
      meta.push(['position', `${pos + 1} of ${this.init.plan!.size}`], ['stratum', pi.stratum]);
    }
    if (r.item) {
      this.current = r.item;
      renderItem(this.itemEl, r.item, { meta, notice: r.changed, onEnlarge: (i) => this.enlarge(i) });
    } else {
      this.current = undefined;
      renderProblem(this.itemEl, r.problem ?? { index, message: 'unknown problem' });
    }
    this.answers.attach(this.itemEl, r.item);
    this.itemEl.dataset.position = String(pos);
    this.renderVerdict();
    this.saveState();
    this.ch.command(P.PositionChanged, { position: pos, key: r.item?.key });
    timings().show.push(performance.now() - t0);
    void this.prefetch(pos + 1);
    void this.prefetch(pos - 1);
  }

  /** Items already asked for, by request index (review: plan position); the neighbours are fetched ahead. */
  private readonly itemCache = new Map<number, Promise<P.ResultOf<typeof P.GetItem>>>();

  private fetchItem(index: number): Promise<P.ResultOf<typeof P.GetItem>> {
    let r = this.itemCache.get(index);
    if (!r) {
      r = this.ch.request(P.GetItem, { index });
      r.catch(() => this.itemCache.delete(index));
      this.itemCache.set(index, r);
      if (this.itemCache.size > 64) this.itemCache.delete(this.itemCache.keys().next().value!);
    }
    return r;
  }

  private async prefetch(pos: number): Promise<void> {
    if (pos < 0 || pos >= this.length || this.init.mode === 'preview') return;
    const index = await this.datasetIndexAt(pos);
    if (index === undefined) return;
    const r = await this.fetchItem(index).catch(() => undefined);
    // Warm the image cache too, so the next item appears with its pictures.
    for (const im of r?.item?.images ?? []) if (im.ok) new Image().src = im.src;
  }

  private saveState(): void {
    const s: P.PersistedState = { position: this.position };
    if (this.init.mode === 'browse') {
      s.filter = this.filter;
      s.scrollTop = this.list?.scrollTop;
      s.browseIndex = this.current?.index;
    }
    this.ch.state = s;
  }

  private enlarge(i: number): void {
    const item = this.current;
    if (!item) return;
    const n = item.images.length;
    const shown = item.images.map((im, k) => (im.ok ? { src: im.src, path: im.path, caption: imageCaption(k, n), k } : undefined)).filter((x): x is NonNullable<typeof x> => !!x);
    const at = Math.max(0, shown.findIndex((s) => s.k === i));
    this.lightbox.show(shown, at);
  }

  /** Host asked for a dataset index (cursor preview, CodeLens): in browse mode, clear a filter that hides it. */
  private async showDatasetIndex(index: number): Promise<void> {
    if (this.init.mode === 'preview') {
      this.itemCache.clear();
      await this.show(index);
    } else if (this.init.mode === 'browse') {
      if (this.filtered()) { this.filter = {}; await this.applyFilter(index); } else await this.show(index);
    }
  }

  private filtered(): boolean {
    const f = this.filter;
    return f.groupSize !== undefined || !!f.subset || !!f.text || (!!f.verdict && f.verdict !== 'any');
  }

  private async goTo(q: string): Promise<void> {
    const r = await this.ch.request(P.Find, { query: q });
    if (r.index === undefined) {
      this.flash(r.message ?? 'not found', 'error');
      return;
    }
    this.jump.value = '';
    this.jump.blur();
    if (this.init.mode === 'review') {
      const pos = this.init.plan!.items.findIndex((it) => it.index === r.index);
      if (pos < 0) { this.flash(`record ${r.index} is not in this spot check`, 'error'); return; }
      await this.show(pos);
    } else if (this.init.mode === 'browse') {
      await this.showDatasetIndex(r.index);
    } else await this.show(r.index);
    this.focusItem();
  }

  // ------------------------------------------------------------------------------------------
  // Review

  private keyAt(pos: number): string | undefined { return this.init.plan?.items[pos]?.key; }

  private verdictOf(key: string): Local | undefined {
    const l = this.verdicts.get(key);
    if (l) return l;
    const s = this.init.verdicts?.[key];
    return s ? { verdict: s.verdict, note: s.note, state: 'saved' } : undefined;
  }

  private renderProgress(): void {
    if (this.init.mode === 'review') {
      const p = this.progress ?? this.init.progress!;
      this.progressEl.replaceChildren(
        h('span', { class: 'progress-count', 'data-judged': p.judged, 'data-size': p.size }, `${p.judged} / ${p.size}`),
        h('span', { class: 'progress-detail' }, ` judged · ✓ ${p.correct} ✗ ${p.incorrect} ↷ ${p.skip} · item ${this.position + 1}`),
      );
    } else if (this.init.mode === 'browse') {
      setText(this.progressEl, this.length ? `${this.position + 1} / ${this.length.toLocaleString('en')}` : '0 / 0');
    } else {
      setText(this.progressEl, `record ${this.position + 1} of ${this.length.toLocaleString('en')}`);
    }
  }

  private renderVerdict(): void {
    clear(this.verdictEl);
    if (this.init.mode !== 'review') { this.verdictEl.hidden = true; return; }
    this.verdictEl.hidden = false;
    const key = this.keyAt(this.position);
    const v = key ? this.verdictOf(key) : undefined;
    this.verdictEl.dataset.verdict = v?.verdict ?? '';
    this.verdictEl.dataset.state = v?.state ?? '';
    if (!v) {
      this.verdictEl.append(h('span', { class: 'verdict-none' }, 'Not judged yet'));
      const draft = key ? this.draftNotes.get(key) : undefined;
      if (draft) this.verdictEl.append(h('span', { class: 'verdict-note' }, ` · note waiting for a verdict: ${draft}`));
      return;
    }
    const word = v.verdict === 'correct' ? '✓ Correct' : v.verdict === 'incorrect' ? '✗ Incorrect' : '↷ Skipped';
    const state = v.state === 'saved' ? 'saved' : v.state === 'saving' ? 'saving…' : `NOT saved: ${v.error ?? ''}`;
    this.verdictEl.append(h('span', { class: `verdict-word verdict-${v.verdict}` }, word), h('span', { class: `verdict-state state-${v.state}` }, ` — ${state}`));
    if (v.note) this.verdictEl.append(h('span', { class: 'verdict-note' }, ` · note: ${v.note}`));
  }

  private flash(text: string, level: 'info' | 'error' = 'info'): void {
    this.statusEl.replaceChildren(h('span', { class: `flash flash-${level}` }, text));
  }

  private async mark(verdict: P.Verdict): Promise<void> {
    if (this.init.mode !== 'review') return;
    if (this.init.readOnly) { this.flash(this.init.readOnlyReason ?? 'read-only', 'error'); return; }
    const pos = this.position;
    const key = this.keyAt(pos);
    if (!key) return;
    const note = this.draftNotes.get(key) ?? this.verdictOf(key)?.note;
    this.verdicts.set(key, { verdict, note, state: 'saving' });
    this.renderVerdict();
    // Send the verdict first, then move on at once; the saved state arrives with the host's answer
    // (after append + fsync).
    const t0 = performance.now();
    const saving = this.ch.request(P.Mark, { key, verdict, note });
    if (pos < this.length - 1) void this.show(pos + 1);
    try {
      const r = await saving;
      timings().save.push(performance.now() - t0);
      if (r.hostMs !== undefined) timings().saveHost.push(r.hostMs);
      this.draftNotes.delete(key);
      this.verdicts.set(key, { verdict: r.saved.verdict, note: r.saved.note, state: 'saved' });
      this.progress = r.progress;
      this.logSaved(key, r.saved.verdict, pos);
      this.flash(`saved: ${key} ${r.saved.verdict} (${r.progress.judged} / ${r.progress.size})`);
      if (pos === this.length - 1 && r.progress.judged === r.progress.size) this.flash(`saved: ${key} ${r.saved.verdict} — all ${r.progress.size} items judged`);
    } catch (e) {
      this.verdicts.set(key, { verdict, note, state: 'failed', error: (e as Error).message });
      this.flash(`NOT saved: ${key}: ${(e as Error).message}`, 'error');
    }
    this.renderProgress();
    this.renderVerdict();
  }

  private logSaved(key: string, verdict: P.Verdict, pos: number): void {
    this.savedLog.prepend(h('li', { 'data-key': key, 'data-verdict': verdict }, `${pos + 1}. ${key}: ${verdict}`));
  }

  private async undo(): Promise<void> {
    if (this.init.mode !== 'review' || this.init.readOnly) return;
    let pos = this.position;
    let key = this.keyAt(pos);
    if (!key) return;
    if (!this.verdictOf(key) && pos > 0) {
      pos -= 1;
      key = this.keyAt(pos)!;
      await this.show(pos);
    }
    const v = this.verdictOf(key);
    if (!v) { this.flash('nothing to undo here'); return; }
    if (v.state !== 'saved') { this.flash('wait until the verdict is saved'); return; }
    try {
      const r = await this.ch.request(P.Undo, { key });
      if (r.current) this.verdicts.set(key, { ...r.current, state: 'saved' });
      else {
        this.verdicts.delete(key);
        if (this.init.verdicts) delete this.init.verdicts[key];
      }
      this.progress = r.progress;
      this.savedLog.prepend(h('li', { 'data-key': key, 'data-verdict': 'undo' }, `${pos + 1}. ${key}: undone`));
      this.flash(`undone: ${key}${r.current ? ` (back to ${r.current.verdict})` : ''}`);
    } catch (e) {
      this.flash(`undo failed: ${(e as Error).message}`, 'error');
    }
    this.renderProgress();
    this.renderVerdict();
  }

  private openNote(): void {
    if (this.init.mode !== 'review' || this.init.readOnly) return;
    const key = this.keyAt(this.position);
    if (!key) return;
    this.noteBox.hidden = false;
    this.noteInput.value = this.draftNotes.get(key) ?? this.verdictOf(key)?.note ?? '';
    this.noteInput.focus();
  }

  private closeNote(refocus = true): void {
    if (this.noteBox.hidden) return;
    this.noteBox.hidden = true;
    if (refocus) this.focusItem();
  }

  private async saveNote(): Promise<void> {
    const key = this.keyAt(this.position);
    const note = this.noteInput.value.trim();
    this.closeNote();
    if (!key) return;
    const v = this.verdictOf(key);
    if (v && v.state === 'saved') {
      this.verdicts.set(key, { verdict: v.verdict, note, state: 'saving' });
      this.renderVerdict();
      try {
        const r = await this.ch.request(P.Mark, { key, verdict: v.verdict, note: note || undefined });
        this.verdicts.set(key, { verdict: r.saved.verdict, note: r.saved.note, state: 'saved' });
        this.progress = r.progress;
        this.flash(`note saved: ${key}`);
      } catch (e) {
        this.verdicts.set(key, { verdict: v.verdict, note, state: 'failed', error: (e as Error).message });
      }
    } else if (note) {
      this.draftNotes.set(key, note);
      this.flash('note kept; it is saved with the verdict');
    }
    this.renderVerdict();
  }

  // ------------------------------------------------------------------------------------------
  // Keys and focus

  private onKey(action: P.KeyAction): void {
    if (this.lightbox.open && action !== 'enlarge') this.lightbox.close();
    switch (action) {
      case 'correct': case 'incorrect': case 'skip': void this.mark(action); break;
      case 'undo': void this.undo(); break;
      case 'note': this.openNote(); break;
      case 'next': void this.show(this.position + 1); break;
      case 'prev': void this.show(this.position - 1); break;
      case 'first': void this.show(0); break;
      case 'last': void this.show(this.length - 1); break;
      case 'enlarge': if (this.lightbox.open) this.lightbox.close(); else this.enlarge(0); break;
      case 'find': this.jump.focus(); this.jump.select(); break;
      case 'escape': this.closeNote(); break;
    }
  }

  private focusItem(): void {
    (this.app.querySelector('.item-pane') as HTMLElement | null)?.focus({ preventScroll: true });
    this.reportFocus();
  }

  private lastFocus: P.FocusArea | undefined;

  /** Tells the host where keyboard focus is, so review keys only fire when not typing. */
  private reportFocus(): void {
    const a = document.activeElement;
    const typing = !!a && (a.tagName === 'INPUT' || a.tagName === 'TEXTAREA' || a.tagName === 'SELECT' || (a as HTMLElement).isContentEditable);
    const area: P.FocusArea = !document.hasFocus() ? 'none' : typing ? 'input' : 'item';
    if (area === this.lastFocus) return;
    this.lastFocus = area;
    this.app.dataset.focus = area;
    this.ch.command(P.FocusChanged, { area });
  }

  private watchFocus(): void {
    const later = () => setTimeout(() => this.reportFocus(), 0);
    window.addEventListener('focus', later);
    window.addEventListener('blur', later);
    document.addEventListener('focusin', later);
    document.addEventListener('focusout', later);
    document.addEventListener('mousedown', later);
  }
}

function timings(): { show: number[]; save: number[]; saveHost: number[] } {
  return (window.__curatorTimings ??= { show: [], save: [], saveHost: [] });
}

function select(label: string, options: [string, string][], value: string): { el: HTMLElement; select: HTMLSelectElement } {
  const s = h('select', { 'aria-label': label });
  for (const [v, t] of options) s.appendChild(h('option', { value: v, selected: v === value }, t));
  return { el: h('label', { class: 'filter' }, h('span', {}, label), s), select: s };
}

function formatBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KB`;
  return `${n} B`;
}

const app = new CuratorApp();
app.start().catch((e: unknown) => {
  const root = document.getElementById('app')!;
  root.dataset.state = 'error';
  root.replaceChildren(h('div', { class: 'problem', role: 'alert' }, `The curator view failed to start: ${e instanceof Error ? e.message : String(e)}`));
});
