/**
 * Browse mode (ARCHITECTURE.md › Webview): a filtered, virtualised list of records beside the item
 * pane. Positions are list positions; without a filter they equal dataset record indices. The host
 * asks for a record by its dataset index (ShowRecord); a filter that hides it is cleared.
 */
import * as P from '../src/protocol';
import { BrowseList } from './browseList';
import { ClaimsPanel } from './claimsPanel';
import { h, setText } from './elements';
import { formatBytes, type ItemPane, type ModeController } from './itemPane';

export class BrowseController implements ModeController {
  readonly prefetch = true;
  private filter: P.BrowseFilter;
  private readonly list: BrowseList;
  private readonly matchCount = h('div', { class: 'match-count', role: 'status', 'aria-live': 'polite' });
  private readonly note = h('div', { class: 'filter-note', role: 'status', 'aria-live': 'polite' });
  /** The claims panel beside the label (issue #16): why the item is suspicious. */
  private readonly claims = new ClaimsPanel();
  private claimsSeq = 0;
  /** Whether list positions are in suspicion order (not dataset indices). */
  private sorted = false;
  private readonly subs: (() => void)[];

  constructor(
    private readonly pane: ItemPane,
    saved: P.PersistedState | undefined,
  ) {
    this.filter = saved?.filter ?? {};
    this.list = new BrowseList(
      async (filterId, offset, limit) => (await pane.ch.request(P.ListPage, { filterId, offset, limit })).rows,
      (pos) => {
        void this.pane.show(pos);
      },
    );
    this.subs = [
      pane.ch.on(P.ShowRecord, ({ index }) => {
        void this.showRecord(index);
      }),
    ];
    const { dataset } = pane.init;
    pane.layout({
      subtitle: `${dataset.format} · ${dataset.count.toLocaleString('en')} records · ${formatBytes(dataset.bytes)}`,
      jump: true,
      side: this.buildSide(),
      footer: h('footer', { class: 'keys' }, '←/→ move · Home/End first/last · e enlarge · g go to · click an image to enlarge'),
    });
  }

  /** Applies the saved (or no) filter and shows the first item. */
  start(startIndex: number, scrollTop?: number): Promise<void> {
    return this.applyFilter(startIndex, scrollTop);
  }

  get length(): number {
    return this.list.length;
  }

  async itemAt(pos: number): Promise<P.ItemResult | undefined> {
    const row = await this.list.rowAt(pos);
    if (!row) return undefined;
    return this.pane.fetch(`r${row.index}`, () => this.pane.ch.request(P.GetRecord, { index: row.index }));
  }

  meta(): [string, string][] {
    return [];
  }

  moving(pos: number): void {
    this.list.select(pos);
  }

  shown(_pos: number, item: P.ItemView | undefined): void {
    this.renderProgress();
    if (item) void this.loadClaims(item.index, item.key);
  }

  get labelAside(): HTMLElement {
    return this.claims.el;
  }

  private async loadClaims(index: number, key: string): Promise<void> {
    const seq = ++this.claimsSeq;
    this.claims.loading(key);
    try {
      const v = await this.pane.ch.request(P.GetRecordClaims, { index });
      if (seq === this.claimsSeq && v.key === key) this.claims.show(v);
    } catch (e) {
      if (seq === this.claimsSeq) this.claims.failed(key, (e as Error).message);
    }
  }

  renderProgress(): void {
    const rec = this.pane.current?.index;
    setText(
      this.pane.progressEl,
      this.length ? `${rec !== undefined ? `#${rec} · ` : ''}${this.pane.position + 1} of ${this.length.toLocaleString('en')}` : '0 of 0',
    );
  }

  onKey(): boolean {
    return false;
  }

  goToRecord(index: number): Promise<void> {
    return this.showRecord(index);
  }

  persisted(): Omit<P.PersistedState, 'position'> {
    return { filter: this.filter, scrollTop: this.list.scrollTop, browseIndex: this.pane.current?.index };
  }

  /** Shows a dataset record, clearing a filter that could hide it. */
  private async showRecord(index: number): Promise<void> {
    if (this.filtered()) {
      this.filter = {};
      await this.applyFilter(index);
    } else await this.pane.show(index);
  }

  private filtered(): boolean {
    const f = this.filter;
    return (
      f.groupSize !== undefined || !!f.subset || !!f.text || (!!f.verdict && f.verdict !== 'any') || f.sort === 'suspicion' || f.minSuspicion !== undefined
    );
  }

  private buildSide(): HTMLElement {
    const f = this.filter;
    const group = select(
      'Group size',
      [
        ['', 'any'],
        ['1', '1 image'],
        ['2', '2 images'],
        ['3', '3 images'],
        ['4', '4+ images'],
      ],
      f.groupSize === undefined ? '' : String(f.groupSize),
    );
    const subset = select('Subset', [['', 'any'], ...this.pane.init.subsets.map((s) => [s, s] as [string, string])], f.subset ?? '');
    const verdict = select(
      'Verdict',
      [
        ['any', 'any'],
        ['judged', 'judged'],
        ['unjudged', 'not judged'],
        ['correct', 'correct'],
        ['incorrect', 'incorrect'],
        ['skip', 'skipped'],
      ],
      f.verdict ?? 'any',
    );
    const sort = select(
      'Sort',
      [
        ['index', 'record order'],
        ['suspicion', 'most suspicious first'],
      ],
      f.sort ?? 'index',
    );
    const minSusp = h('input', {
      type: 'number',
      class: 'filter-suspicion',
      min: 0,
      max: 1,
      step: 0.05,
      placeholder: 'any',
      title: 'Only records whose suspicion (0–1: contradicted claims against agreeing ones) is at least this',
      'aria-label': 'Minimum suspicion, 0 to 1',
      value: f.minSuspicion === undefined ? '' : String(f.minSuspicion),
    });
    const minLabel = h('label', { class: 'filter' }, h('span', {}, 'Suspicion ≥'), minSusp);
    const text = h('input', { type: 'search', class: 'filter-text', placeholder: 'Search text', 'aria-label': 'Search text', value: f.text ?? '' });
    const apply = () => {
      this.filter = {
        groupSize: group.select.value ? Number(group.select.value) : undefined,
        subset: subset.select.value || undefined,
        verdict: (verdict.select.value || 'any') as P.VerdictFilter,
        text: text.value.trim() || undefined,
        sort: sort.select.value === 'suspicion' ? 'suspicion' : undefined,
        minSuspicion: suspicionValue(minSusp.value),
      };
      void this.applyFilter(0);
    };
    for (const s of [group.select, subset.select, verdict.select, sort.select, minSusp]) s.addEventListener('change', apply);
    minSusp.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') apply();
    });
    let t: ReturnType<typeof setTimeout> | undefined;
    text.addEventListener('input', () => {
      if (t) clearTimeout(t);
      t = setTimeout(apply, 350);
    });
    text.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        if (t) clearTimeout(t);
        apply();
      }
    });
    return h(
      'aside',
      { class: 'side' },
      h('div', { class: 'filters' }, group.el, subset.el, verdict.el, sort.el, minLabel, text, this.matchCount, this.note),
      this.list.el,
    );
  }

  private async applyFilter(startIndex: number, scrollTop?: number): Promise<void> {
    const r = await this.pane.ch.request(P.Query, { filter: this.filter });
    this.list.reset(r.filterId, r.matches);
    this.sorted = !!r.sorted;
    setText(this.note, r.note ?? '');
    setText(
      this.matchCount,
      r.matches === r.total ? `${r.total.toLocaleString('en')} records` : `${r.matches.toLocaleString('en')} of ${r.total.toLocaleString('en')} match`,
    );
    if (scrollTop !== undefined) this.list.scrollTop = scrollTop;
    if (r.matches === 0) {
      this.pane.showNothing('No record matches the filter.');
      return;
    }
    // Without a filter, list positions are dataset indices; with one, start at the first match.
    const unfiltered = r.matches === r.total && !this.sorted;
    await this.pane.show(unfiltered ? Math.min(startIndex, r.total - 1) : 0);
  }

  dispose(): void {
    for (const s of this.subs) s();
  }
}

/** The minimum suspicion typed in the box: undefined when empty or not a number in [0, 1] (clamped). */
function suspicionValue(v: string): number | undefined {
  if (!v.trim()) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : undefined;
}

function select(label: string, options: [string, string][], value: string): { el: HTMLElement; select: HTMLSelectElement } {
  const s = h('select', { 'aria-label': label });
  for (const [v, t] of options) s.appendChild(h('option', { value: v, selected: v === value }, t));
  return { el: h('label', { class: 'filter' }, h('span', {}, label), s), select: s };
}
