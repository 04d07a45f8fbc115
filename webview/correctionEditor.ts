/**
 * The inline correction editor of the review (issue #17; ARCHITECTURE.md › Webview): a text box
 * placed right below the label, prefilled with it. Enter or Ctrl+Enter saves (Shift+Enter is a new
 * line), Escape cancels. It only collects the text: the review controller writes it to the journal
 * and shows it as saved once the host says it is on disk.
 */
import { h } from './elements';

export interface CorrectionEditorHooks {
  save(key: string, text: string): void;
  /** The editor closed (saved or cancelled): focus goes back to the item. */
  closed(): void;
}

let nextId = 0;

export class CorrectionEditor {
  private readonly hintId = `correction-hint-${++nextId}`;
  readonly input = h('textarea', {
    class: 'correction-input',
    rows: 3,
    spellcheck: true,
    'aria-label': 'Corrected label',
    'aria-describedby': this.hintId,
  });
  readonly el = h(
    'div',
    { class: 'correction-editor', role: 'group', 'aria-label': 'Correct the label' },
    h('div', { class: 'correction-title' }, 'Corrected label'),
    this.input,
    h('div', { class: 'correction-hint', id: this.hintId }, 'Enter or Ctrl+Enter saves (the item is marked incorrect) · Shift+Enter new line · Escape cancels'),
  );
  private key: string | undefined;

  constructor(private readonly hooks: CorrectionEditorHooks) {
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.commit();
      } else if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        this.close();
      }
    });
    this.input.addEventListener('input', () => this.fit());
  }

  get isOpen(): boolean {
    return this.key !== undefined;
  }

  /** Opens below `labelEl` for the item `key`, with `text` to start from. */
  open(labelEl: HTMLElement, key: string, text: string, label: string): void {
    this.key = key;
    this.el.dataset.key = key;
    this.input.value = text;
    this.input.placeholder = label;
    labelEl.after(this.el);
    this.fit();
    this.input.focus();
    this.input.setSelectionRange(text.length, text.length);
  }

  /** Closes without saving (`refocus`: give the item the keyboard back). */
  close(refocus = true): void {
    if (this.key === undefined) return;
    this.key = undefined;
    this.el.remove();
    if (refocus) this.hooks.closed();
  }

  private commit(): void {
    const key = this.key;
    if (key === undefined) return;
    const text = this.input.value;
    this.close();
    this.hooks.save(key, text);
  }

  /** Grows with the text (up to the CSS max-height) so a long label is edited in view. */
  private fit(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${this.input.scrollHeight + 2}px`;
  }
}
