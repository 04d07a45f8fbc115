/**
 * Model answers beside the label (issue #5): a section under the item with one column per endpoint
 * profile — streamed answer text, its parsed choice against the label's, and agree / disagree
 * highlighted. Answers arrive as ModelAnswer notifications; they are kept per item key, so an answer
 * still streaming for the previous item never shows on the next one. Text is rendered as text only.
 */
import type { ItemView, ModelAnswerView } from '../src/protocol';
import { clear, h } from './elements';

const STATE_LABEL: Record<ModelAnswerView['state'], string> = {
  asking: 'asking…',
  streaming: 'streaming…',
  done: 'answered',
  cached: 'from cache',
  error: 'failed',
  cancelled: 'cancelled',
};

export class ModelAnswers {
  private readonly byKey = new Map<string, Map<string, ModelAnswerView>>();
  private readonly section = h('section', { class: 'model-answers', 'aria-label': 'Model answers' });
  private readonly columns = h('div', { class: 'model-answer-columns' });
  private readonly disagreementNav = h('span', { class: 'disagreement-nav', hidden: true });
  private disagreements = new Set<string>();
  private item: ItemView | undefined;

  constructor(
    private readonly ask: (key: string, index: number) => void,
    private readonly wanted: (key: string, index: number) => void,
    private readonly step: (key: string, direction: 1 | -1) => void,
  ) {
    const button = h('button', { class: 'ask-model', type: 'button', title: 'Ask the configured endpoint profiles (Curator: Ask Model)' }, 'Ask model');
    button.addEventListener('click', () => {
      if (this.item) this.ask(this.item.key, this.item.index);
    });
    const prev = h('button', { class: 'disagreement-prev', type: 'button', title: 'Previous item where a model disagrees with the label' }, '◀');
    const next = h('button', { class: 'disagreement-next', type: 'button', title: 'Next item where a model disagrees with the label' }, '▶');
    prev.addEventListener('click', () => {
      if (this.item) this.step(this.item.key, -1);
    });
    next.addEventListener('click', () => {
      if (this.item) this.step(this.item.key, 1);
    });
    this.disagreementNav.append(h('span', { class: 'disagreement-count' }), prev, next);
    this.section.append(h('div', { class: 'model-answers-head' }, h('h3', {}, 'Model answers'), button, this.disagreementNav), this.columns);
  }

  /** Review: the spot check's items where a model disagrees with the label (navigation and highlight). */
  setDisagreements(keys: string[]): void {
    this.disagreements = new Set(keys);
    this.disagreementNav.hidden = keys.length === 0;
    (this.disagreementNav.firstChild as HTMLElement).textContent = `${keys.length} disagreement${keys.length === 1 ? '' : 's'} in this spot check`;
    this.markItem();
  }

  private markItem(): void {
    this.section.dataset.disagreement = this.item && this.disagreements.has(this.item.key) ? 'true' : 'false';
  }

  /** Places the section under a freshly rendered item and shows what is known for it. */
  attach(itemEl: HTMLElement, item: ItemView | undefined): void {
    this.item = item;
    if (!item) {
      this.section.remove();
      return;
    }
    this.wanted(item.key, item.index);
    // Below the images (grid or compare view), so the label and the pictures share the first screen.
    const images = itemEl.querySelector(':scope > .images, :scope > .compare');
    if (images) images.after(this.section);
    else (itemEl.querySelector('.qa') ?? itemEl).appendChild(this.section);
    this.render();
  }

  update(v: ModelAnswerView): void {
    let m = this.byKey.get(v.key);
    if (!m) {
      m = new Map();
      this.byKey.set(v.key, m);
      if (this.byKey.size > 200) this.byKey.delete(this.byKey.keys().next().value as string);
    }
    m.set(v.profile, v);
    if (this.item?.key === v.key) this.render();
  }

  private render(): void {
    this.markItem();
    clear(this.columns);
    const answers = this.item ? [...(this.byKey.get(this.item.key)?.values() ?? [])] : [];
    this.section.dataset.count = String(answers.length);
    if (answers.length === 0) {
      this.columns.append(h('p', { class: 'muted' }, 'No answer yet. "Ask model" sends this item to the endpoint profiles of the curator.endpoints setting.'));
      return;
    }
    for (const a of answers) {
      const col = h(
        'div',
        {
          class: `model-answer state-${a.state}${a.agreement ? ` agreement-${a.agreement}` : ''}`,
          'data-profile': a.profile,
          'data-state': a.state,
          'data-agreement': a.agreement ?? '',
        },
        h(
          'div',
          { class: 'model-answer-head' },
          h('span', { class: 'profile', title: a.model }, a.profile),
          h('span', { class: 'badge state' }, STATE_LABEL[a.state]),
          a.agreement === 'agree' ? h('span', { class: 'badge agree' }, '✓ agrees with the label') : null,
          a.agreement === 'disagree' ? h('span', { class: 'badge disagree' }, '✗ disagrees with the label') : null,
          a.agreement && a.agreement !== 'agree' && a.agreement !== 'disagree'
            ? h(
                'span',
                { class: 'badge unparsed' },
                a.agreement === 'answer-unparsed' ? 'answer not parsed' : a.agreement === 'label-unparsed' ? 'label not parsed' : 'not comparable',
              )
            : null,
        ),
        a.answerChoice !== undefined ? h('div', { class: 'choices' }, `model → ${a.answerChoice}`, h('br'), `label → ${a.labelChoice ?? '—'}`) : null,
        h('div', { class: 'text model-answer-text' }, a.text),
        a.error ? h('div', { class: 'error' }, a.error) : null,
      );
      this.columns.appendChild(col);
    }
  }
}
