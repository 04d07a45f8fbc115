/** Renders one item: its images in order with captions, question, label or MCQ options, metadata. */
import type { ImageView, ItemProblem, ItemView } from '../src/protocol';
import { clear, h, imageCaption } from './elements';

const LETTERS = 'ABCDEFGHIJ';

export interface ItemViewOptions {
  /** Extra metadata rows (plan position, stratum, …). */
  meta?: [string, string][];
  /** A notice above the item (record changed since the plan was drawn, …). */
  notice?: string;
  onEnlarge?: (imageIndex: number) => void;
  /** Shown in place of the image grid (the compare view). */
  imagesSlot?: HTMLElement;
  /** Shown beside the label (the review's claims panel). */
  labelAside?: HTMLElement;
}

/** Titles of image problems (core imagePaths and imagePreview faults; load-error: the browser's decode failed). */
export const PROBLEM_TITLES: Record<string, string> = {
  missing: 'Image not found',
  'load-error': 'Image could not be decoded',
  truncated: 'Image truncated',
  corrupt: 'Image corrupt',
  empty: 'Image file empty',
  'not-an-image': 'Not an image',
  unreadable: 'Image unreadable',
};

function placeholder(img: Extract<ImageView, { ok: false }> | { path: string; problem: string; reason: string }): HTMLElement {
  return h(
    'div',
    { class: 'image-missing', role: 'img', 'aria-label': `image not shown: ${img.reason}`, 'data-problem': img.problem },
    h('span', { class: 'image-missing-title' }, PROBLEM_TITLES[img.problem] ?? 'Image refused'),
    h('span', { class: 'image-missing-path' }, img.path),
    h('span', { class: 'image-missing-reason' }, img.reason),
  );
}

function figure(img: ImageView, i: number, n: number, description: string | undefined, opts: ItemViewOptions): HTMLElement {
  const caption = imageCaption(i, n);
  let body: HTMLElement;
  if (img.ok) {
    // width/height (upright size, when the host knows it) give the box its aspect ratio before the picture paints.
    const el = h('img', {
      src: img.src,
      alt: `${caption}: ${img.path}`,
      title: 'Click to enlarge · z to compare at the pixel',
      'data-index': i,
      'data-ordinal': i + 1,
      width: img.width,
      height: img.height,
      loading: 'eager',
      decoding: 'async',
    });
    el.addEventListener('error', () =>
      el.replaceWith(placeholder({ path: img.path, problem: 'load-error', reason: 'the file exists but the browser could not decode it' })),
    );
    el.addEventListener('click', () => opts.onEnlarge?.(i));
    body = el;
  } else {
    body = placeholder(img);
  }
  return h(
    'figure',
    { class: 'image', 'data-ok': img.ok ? 'true' : 'false' },
    h('figcaption', {}, h('span', { class: 'ordinal' }, caption), h('span', { class: 'path', title: img.path }, img.path)),
    body,
    description !== undefined ? h('p', { class: 'description' }, description) : null,
  );
}

export function renderItem(root: HTMLElement, item: ItemView, opts: ItemViewOptions = {}): void {
  clear(root);
  root.dataset.key = item.key;
  root.dataset.index = String(item.index);
  if (opts.notice) root.appendChild(h('div', { class: 'notice', role: 'status' }, opts.notice));
  const n = item.images.length;
  // Question and label first, the images below in one row of fixed-height boxes: the text stays in
  // view at 1280×720 for 1–4 images and nothing moves when the next item's pictures differ in size.
  const qa = h('div', { class: 'qa' });
  if (item.question !== undefined) qa.append(h('h3', {}, 'Question'), h('div', { class: 'text question', 'data-role': 'question' }, item.question));
  if (item.candidates?.length) {
    const list = h('ol', { class: 'candidates', type: 'A' });
    item.candidates.forEach((c, i) => {
      const correct = item.correct !== undefined && c === item.correct;
      list.appendChild(
        h(
          'li',
          {
            class: correct ? 'candidate correct' : 'candidate',
            'data-letter': LETTERS[i] ?? String(i + 1),
            'aria-label': correct ? `${c} (correct answer)` : c,
          },
          h('span', { class: 'letter' }, `${LETTERS[i] ?? i + 1}.`),
          ' ',
          h('span', { class: 'candidate-text' }, c),
          correct ? ' ' : null,
          correct ? h('span', { class: 'badge correct-badge' }, '✓ correct') : null,
        ),
      );
    });
    qa.append(h('h3', {}, 'Options'), list);
  }
  if (item.label !== undefined) {
    const label = h('div', { class: 'text label', 'data-role': 'label' }, item.label);
    qa.append(
      h('h3', {}, item.candidates?.length ? 'Answer' : 'Label'),
      opts.labelAside ? h('div', { class: 'label-row' }, h('div', { class: 'label-col' }, label), opts.labelAside) : label,
    );
  } else qa.append(h('h3', {}, 'Label'), h('p', { class: 'muted' }, 'This record has no label.'));
  root.appendChild(qa);

  if (opts.imagesSlot && n > 0) {
    root.appendChild(opts.imagesSlot);
  } else {
    const grid = h('div', { class: `images images-${Math.min(n, 4)}`, 'data-count': n });
    item.images.forEach((img, i) => grid.appendChild(figure(img, i, n, item.descriptions?.[i], opts)));
    if (n === 0) grid.appendChild(h('p', { class: 'muted' }, 'This record has no images.'));
    root.appendChild(grid);
  }

  const meta: [string, string][] = [
    // Records are "#index" (0-based) everywhere — list rows, go-to box, CLI; positions are "N of M".
    ['record', `#${item.index}`],
    ['id', item.key],
    ['line', String(item.line)],
    ['subset', item.subset ?? '—'],
    ['group size', String(item.groupSize)],
    ['format', item.format],
    ['hash', item.hash],
    ...(opts.meta ?? []),
  ];
  const dl = h('dl', { class: 'meta' });
  for (const [k, v] of meta) dl.append(h('dt', {}, k), h('dd', { 'data-field': k }, v));
  root.appendChild(dl);
  if (item.extra) root.appendChild(h('details', { class: 'extra' }, h('summary', {}, 'Other fields'), h('pre', {}, item.extra)));
}

export function renderProblem(root: HTMLElement, p: ItemProblem): void {
  clear(root);
  root.dataset.key = '';
  root.dataset.index = String(p.index);
  root.appendChild(
    h('div', { class: 'problem', role: 'alert' }, h('h3', {}, `Record ${p.index}${p.line ? ` (line ${p.line})` : ''} cannot be shown`), h('p', {}, p.message)),
  );
}
