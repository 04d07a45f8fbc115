/**
 * The claims panel beside the label in the review (issue #16; ARCHITECTURE.md › Webview): each claim
 * the parser found in the label, whether the measured cues agree, contradict or leave it unchecked,
 * with the cue value of every image it compares, the item's suspicion, and all measured cues per
 * image. The host computes everything from core (claims/itemClaims.ts); this only renders text nodes.
 */
import type { ClaimView, ImageCuesView, ItemClaimsView } from '../src/protocol';
import { h, imageCaption } from './elements';

const STATUS_TEXT: Record<ClaimView['status'], string> = { agrees: '✓ agrees', contradicts: '✗ contradicts', unchecked: '? unchecked' };

const RELATION_TEXT: Record<string, string> = {
  greater: 'more than',
  less: 'less than',
  most: 'the most',
  least: 'the least',
  high: 'high',
  low: 'low',
  ranking: 'in this order',
};

const CUES: { key: keyof NonNullable<ImageCuesView['cues']>; label: string; dir: string }[] = [
  { key: 'sharpness', label: 'sharpness', dir: 'larger = sharper' },
  { key: 'noise', label: 'noise', dir: 'larger = noisier' },
  { key: 'exposure', label: 'exposure', dir: 'larger = brighter' },
  { key: 'contrast', label: 'contrast', dir: 'larger = more contrast' },
  { key: 'colourfulness', label: 'colourfulness', dir: 'larger = more colourful' },
  { key: 'blockiness', label: 'blockiness', dir: '1 = none, larger = blockier' },
  { key: 'megapixels', label: 'megapixels', dir: '' },
];

/** A cue value with about three significant digits. */
export function cueNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toFixed(3);
}

/** "first", "second"… as the captions say them, for an image ordinal (1-based). */
function imageName(ordinal: number, n: number): string {
  return imageCaption(ordinal - 1, n).replace(/^The /, '');
}

export class ClaimsPanel {
  readonly el = h('aside', { class: 'claims', 'data-role': 'claims', 'aria-label': 'Claims in the label, checked against the images' });

  /** Measuring (the host answers once the cues are cached or measured). */
  loading(key: string): void {
    this.el.dataset.key = key;
    this.el.dataset.state = 'loading';
    this.el.replaceChildren(h('div', { class: 'claims-head' }, 'Claims'), h('p', { class: 'muted' }, 'measuring the images…'));
  }

  failed(key: string, message: string): void {
    this.el.dataset.key = key;
    this.el.dataset.state = 'error';
    this.el.replaceChildren(h('div', { class: 'claims-head' }, 'Claims'), h('p', { class: 'muted claims-error' }, `No cues: ${message}`));
  }

  show(v: ItemClaimsView): void {
    const n = v.images.length;
    this.el.dataset.key = v.key;
    this.el.dataset.state = 'ready';
    const counts = { agrees: 0, contradicts: 0, unchecked: 0 };
    for (const c of v.claims) counts[c.status]++;
    const head = h(
      'div',
      { class: 'claims-head' },
      'Claims ',
      h(
        'span',
        {
          class: `suspicion${v.suspicion > 0 ? ' suspicious' : ''}`,
          'data-suspicion': v.suspicion.toFixed(3),
          title: 'contradicted claims against agreeing ones, 0–1',
        },
        `suspicion ${v.suspicion.toFixed(2)}`,
      ),
    );
    const summary = h(
      'div',
      { class: 'claims-summary muted' },
      v.claims.length ? `${counts.contradicts} contradict · ${counts.agrees} agree · ${counts.unchecked} unchecked` : 'No checkable claim in the label.',
    );
    const list = h('ul', { class: 'claims-list', 'aria-label': 'Claims' });
    for (const c of v.claims) list.append(this.claim(c, n));
    const table = h('table', { class: 'cue-table' });
    table.append(h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'cue'), ...v.images.map((_, i) => h('th', { scope: 'col' }, imageName(i + 1, n))))));
    const body = h('tbody', {});
    for (const cue of CUES)
      body.append(
        h(
          'tr',
          { 'data-cue': cue.key },
          h('th', { scope: 'row', title: cue.dir }, cue.label),
          ...v.images.map((im) => h('td', { class: 'num' }, im.cues ? cueNumber(im.cues[cue.key]) : '—')),
        ),
      );
    table.append(body);
    const problems = v.images.filter((im) => im.error).map((im) => h('li', {}, `${im.path}: ${im.error}`));
    this.el.replaceChildren(
      head,
      summary,
      list,
      h('details', { class: 'cues' }, h('summary', {}, 'Measured cues'), table, problems.length ? h('ul', { class: 'muted cue-problems' }, ...problems) : null),
    );
  }

  private claim(c: ClaimView, n: number): HTMLElement {
    const values = c.images.map((o, i) => `${imageName(o, n)} ${cueNumber(c.values[i])}`).join(' · ');
    const rel = RELATION_TEXT[c.relation] ?? c.relation;
    return h(
      'li',
      { class: `claim claim-${c.status}`, 'data-status': c.status, 'data-attribute': c.attribute },
      h('span', { class: 'claim-status' }, STATUS_TEXT[c.status]),
      ' ',
      h('q', { class: 'claim-text' }, c.text),
      h('div', { class: 'claim-values' }, `${c.attribute}${c.hedged ? ' (hedged)' : ''}, ${rel}: ${values || '—'}`),
      c.reason ? h('div', { class: 'claim-reason muted' }, c.reason) : null,
    );
  }
}
