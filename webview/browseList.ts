/**
 * A virtualised list of records for browse mode: only the rows in view exist in the DOM; rows are
 * fetched from the host a page at a time, so a 562K-record file scrolls as smoothly as a small one.
 */
import type { ListRow } from '../src/protocol';
import { clear, h } from './elements';

const ROW_HEIGHT = 44;
const PAGE = 100;

export class BrowseList {
  readonly el = h('div', { class: 'list', role: 'listbox', tabindex: 0, 'aria-label': 'Records' });
  private readonly spacer = h('div', { class: 'list-spacer' });
  private readonly rowsEl = h('div', { class: 'list-rows' });
  private total = 0;
  private filterId = 0;
  private readonly pages = new Map<number, ListRow[] | Promise<void>>();
  private selected = -1;

  constructor(
    private readonly fetchPage: (filterId: number, offset: number, limit: number) => Promise<ListRow[]>,
    private readonly onSelect: (position: number, row: ListRow | undefined) => void,
  ) {
    this.el.append(this.spacer);
    this.spacer.append(this.rowsEl);
    this.el.addEventListener('scroll', () => this.render());
    new ResizeObserver(() => this.render()).observe(this.el);
  }

  get length(): number {
    return this.total;
  }
  get selection(): number {
    return this.selected;
  }

  /** A new result set (after a filter change). */
  reset(filterId: number, total: number): void {
    this.filterId = filterId;
    this.total = total;
    this.pages.clear();
    this.spacer.style.height = `${total * ROW_HEIGHT}px`;
    this.render();
  }

  /** Row at a position if it is loaded. */
  row(position: number): ListRow | undefined {
    const p = this.pages.get(Math.floor(position / PAGE));
    return Array.isArray(p) ? p[position % PAGE] : undefined;
  }

  async rowAt(position: number): Promise<ListRow | undefined> {
    await this.load(Math.floor(position / PAGE));
    return this.row(position);
  }

  select(position: number, scroll = true): void {
    this.selected = position;
    if (scroll) {
      const top = position * ROW_HEIGHT;
      if (top < this.el.scrollTop || top + ROW_HEIGHT > this.el.scrollTop + this.el.clientHeight) {
        this.el.scrollTop = Math.max(0, top - this.el.clientHeight / 2);
      }
    }
    this.render();
  }

  /** Marks a row's verdict after a change elsewhere. */
  updateVerdict(key: string, verdict: ListRow['verdict']): void {
    for (const p of this.pages.values()) if (Array.isArray(p)) for (const r of p) if (r.key === key) r.verdict = verdict;
    this.render();
  }

  get scrollTop(): number {
    return this.el.scrollTop;
  }
  set scrollTop(v: number) {
    this.el.scrollTop = v;
  }

  private load(page: number): Promise<void> {
    if (page < 0 || page * PAGE >= this.total) return Promise.resolve();
    const have = this.pages.get(page);
    if (have) return Array.isArray(have) ? Promise.resolve() : have;
    const id = this.filterId;
    const p = this.fetchPage(id, page * PAGE, PAGE).then((rows) => {
      if (id !== this.filterId) return;
      this.pages.set(page, rows);
      this.render();
    });
    this.pages.set(page, p);
    return p;
  }

  private render(): void {
    const top = this.el.scrollTop;
    const height = this.el.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - 5);
    const last = Math.min(this.total - 1, Math.ceil((top + height) / ROW_HEIGHT) + 5);
    clear(this.rowsEl);
    for (let pos = first; pos <= last; pos++) {
      const page = Math.floor(pos / PAGE);
      const p = this.pages.get(page);
      if (!Array.isArray(p)) {
        void this.load(page);
      }
      const r = Array.isArray(p) ? p[pos % PAGE] : undefined;
      const el = h(
        'div',
        {
          class: `row${pos === this.selected ? ' selected' : ''}${r?.error ? ' error' : ''}`,
          role: 'option',
          'aria-selected': pos === this.selected ? 'true' : 'false',
          'data-position': pos,
          'data-index': r?.index,
          'data-key': r?.key,
        },
        r
          ? h(
              'div',
              { class: 'row-head' },
              h('span', { class: 'row-index' }, `#${r.index}`),
              h('span', { class: 'row-key' }, r.key),
              h('span', { class: 'row-group' }, `${r.groupSize} img`),
              r.subset ? h('span', { class: 'row-subset' }, r.subset) : null,
              r.verdict ? h('span', { class: `row-verdict verdict-${r.verdict}` }, r.verdict) : null,
              r.suspicion !== undefined
                ? h(
                    'span',
                    {
                      class: `row-suspicion${r.suspicion > 0 ? ' suspicious' : ''}`,
                      title: 'suspicion: contradicted claims against agreeing ones (0–1)',
                      'aria-label': `suspicion ${r.suspicion.toFixed(2)}`,
                    },
                    `susp ${r.suspicion.toFixed(2)}`,
                  )
                : null,
            )
          : h('div', { class: 'row-head muted' }, '…'),
        r ? h('div', { class: 'row-snippet' }, r.snippet) : null,
      );
      el.style.top = `${pos * ROW_HEIGHT}px`;
      el.style.height = `${ROW_HEIGHT}px`;
      el.addEventListener('click', () => {
        this.select(pos, false);
        this.onSelect(pos, r);
      });
      this.rowsEl.appendChild(el);
    }
  }
}
