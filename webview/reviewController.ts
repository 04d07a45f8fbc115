/**
 * Review mode (ARCHITECTURE.md › Webview): positions are plan positions. Marks, undo and notes go
 * to the host, which answers after the verdict is on disk; until then the verdict shows "saving…".
 * The host names plan positions only (GetPlanItem, ShowPlanPosition).
 */
import * as P from '../src/protocol';
import { clear, h } from './elements';
import { timings, type ItemPane, type ModeController } from './itemPane';

type Local = { verdict: P.Verdict; note?: string; state: 'saving' | 'saved' | 'failed'; error?: string };

export class ReviewController implements ModeController {
  readonly prefetch = true;
  private readonly plan: P.PlanInfo;
  private readonly verdicts = new Map<string, Local>();
  private readonly draftNotes = new Map<string, string>();
  private progress: P.Progress;
  private readonly savedLog = h('ol', { class: 'saved-log', 'aria-label': 'Verdicts saved in this session' });
  private readonly noteInput = h('input', {
    class: 'note-input',
    type: 'text',
    placeholder: 'Note for this item — Enter saves, Escape cancels',
    'aria-label': 'Note',
  });
  private readonly subs: (() => void)[];

  constructor(private readonly pane: ItemPane) {
    const init = pane.init;
    this.plan = init.plan!;
    this.progress = init.progress!;
    for (const [k, s] of Object.entries(init.verdicts ?? {})) this.verdicts.set(k, { verdict: s.verdict, note: s.note, state: 'saved' });
    this.subs = [
      pane.ch.on(P.ShowPlanPosition, ({ position }) => {
        void this.pane.show(position).then(() => this.pane.focusItem());
      }),
      pane.ch.on(P.ModelDisagreements, ({ keys }) => pane.answers.setDisagreements(keys)),
    ];
    this.noteInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        void this.saveNote();
      } else if (e.key === 'Escape') {
        e.preventDefault();
        this.closeNote();
      }
    });
    const { dataset, readOnly } = init;
    pane.noteBox.replaceChildren(h('label', {}, 'Note '), this.noteInput);
    pane.verdictEl.hidden = false;
    pane.layout({
      subtitle: `${dataset.name} · ${this.plan.size} items · seed ${this.plan.seed} · strata ${this.plan.strata} · reviewer ${this.plan.reviewer}`,
      jump: true,
      footer: h(
        'footer',
        { class: 'keys' },
        readOnly ? 'Read-only: ←/→ move' : 'c correct · x incorrect · s skip · n note · u/Backspace undo · ←/→ move · e enlarge · g go to',
        h('details', { class: 'saved-log-box' }, h('summary', {}, 'Saved in this session'), this.savedLog),
      ),
    });
    this.renderProgress();
  }

  get length(): number {
    return this.plan.size;
  }

  itemAt(pos: number): Promise<P.ItemResult> {
    return this.pane.fetch(`p${pos}`, () => this.pane.ch.request(P.GetPlanItem, { position: pos }));
  }

  meta(pos: number): [string, string][] {
    return [
      ['position', `${pos + 1} of ${this.plan.size}`],
      ['stratum', this.plan.items[pos].stratum],
    ];
  }

  moving(): void {
    this.closeNote(false);
  }

  shown(): void {
    this.renderVerdict();
  }

  persisted(): Omit<P.PersistedState, 'position'> {
    return {};
  }

  async goToRecord(index: number): Promise<void> {
    const pos = this.plan.items.findIndex((it) => it.index === index);
    if (pos < 0) {
      this.pane.flash(`record ${index} is not in this spot check`, 'error');
      return;
    }
    await this.pane.show(pos);
  }

  onKey(action: P.KeyAction): boolean {
    switch (action) {
      case 'correct':
      case 'incorrect':
      case 'skip':
        void this.mark(action);
        return true;
      case 'undo':
        void this.undo();
        return true;
      case 'note':
        this.openNote();
        return true;
      case 'escape':
        this.closeNote();
        return true;
      default:
        return false;
    }
  }

  private keyAt(pos: number): string | undefined {
    return this.plan.items[pos]?.key;
  }

  private verdictOf(key: string): Local | undefined {
    return this.verdicts.get(key);
  }

  renderProgress(): void {
    const p = this.progress;
    this.pane.progressEl.replaceChildren(
      h('span', { class: 'progress-count', 'data-judged': p.judged, 'data-size': p.size }, `${p.judged} / ${p.size}`),
      h('span', { class: 'progress-detail' }, ` judged · ✓ ${p.correct} ✗ ${p.incorrect} ↷ ${p.skip} · item ${this.pane.position + 1} of ${p.size}`),
    );
  }

  private renderVerdict(): void {
    const el = this.pane.verdictEl;
    clear(el);
    const key = this.keyAt(this.pane.position);
    const v = key ? this.verdictOf(key) : undefined;
    el.dataset.verdict = v?.verdict ?? '';
    el.dataset.state = v?.state ?? '';
    if (!v) {
      el.append(h('span', { class: 'verdict-none' }, 'Not judged yet'));
      const draft = key ? this.draftNotes.get(key) : undefined;
      if (draft) el.append(h('span', { class: 'verdict-note' }, ` · note waiting for a verdict: ${draft}`));
      return;
    }
    const word = v.verdict === 'correct' ? '✓ Correct' : v.verdict === 'incorrect' ? '✗ Incorrect' : '↷ Skipped';
    const state = v.state === 'saved' ? 'saved' : v.state === 'saving' ? 'saving…' : `NOT saved: ${v.error ?? ''}`;
    el.append(h('span', { class: `verdict-word verdict-${v.verdict}` }, word), h('span', { class: `verdict-state state-${v.state}` }, ` — ${state}`));
    if (v.note) el.append(h('span', { class: 'verdict-note' }, ` · note: ${v.note}`));
  }

  private async mark(verdict: P.Verdict): Promise<void> {
    if (this.pane.init.readOnly) {
      this.pane.flash(this.pane.init.readOnlyReason ?? 'read-only', 'error');
      return;
    }
    const pos = this.pane.position;
    const key = this.keyAt(pos);
    if (!key) return;
    const note = this.draftNotes.get(key) ?? this.verdictOf(key)?.note;
    this.verdicts.set(key, { verdict, note, state: 'saving' });
    this.renderVerdict();
    // Send the verdict first, then move on at once; the saved state arrives with the host's answer
    // (after append + fsync).
    const t0 = performance.now();
    const saving = this.pane.ch.request(P.Mark, { key, verdict, note });
    if (pos < this.length - 1) void this.pane.show(pos + 1);
    try {
      const r = await saving;
      timings().save.push(performance.now() - t0);
      if (r.hostMs !== undefined) timings().saveHost.push(r.hostMs);
      this.draftNotes.delete(key);
      this.verdicts.set(key, { verdict: r.saved.verdict, note: r.saved.note, state: 'saved' });
      this.progress = r.progress;
      this.logSaved(key, r.saved.verdict, pos);
      this.pane.flash(`saved: ${key} ${r.saved.verdict} (${r.progress.judged} / ${r.progress.size})`);
      if (pos === this.length - 1 && r.progress.judged === r.progress.size)
        this.pane.flash(`saved: ${key} ${r.saved.verdict} — all ${r.progress.size} items judged`);
    } catch (e) {
      this.verdicts.set(key, { verdict, note, state: 'failed', error: (e as Error).message });
      this.pane.flash(`NOT saved: ${key}: ${(e as Error).message}`, 'error');
    }
    this.renderProgress();
    this.renderVerdict();
  }

  private logSaved(key: string, verdict: P.Verdict, pos: number): void {
    this.savedLog.prepend(h('li', { 'data-key': key, 'data-verdict': verdict }, `${pos + 1}. ${key}: ${verdict}`));
  }

  private async undo(): Promise<void> {
    if (this.pane.init.readOnly) return;
    let pos = this.pane.position;
    let key = this.keyAt(pos);
    if (!key) return;
    if (!this.verdictOf(key) && pos > 0) {
      pos -= 1;
      key = this.keyAt(pos)!;
      await this.pane.show(pos);
    }
    const v = this.verdictOf(key);
    if (!v) {
      this.pane.flash('nothing to undo here');
      return;
    }
    if (v.state !== 'saved') {
      this.pane.flash('wait until the verdict is saved');
      return;
    }
    try {
      const r = await this.pane.ch.request(P.Undo, { key });
      if (r.current) this.verdicts.set(key, { ...r.current, state: 'saved' });
      else this.verdicts.delete(key);
      this.progress = r.progress;
      this.savedLog.prepend(h('li', { 'data-key': key, 'data-verdict': 'undo' }, `${pos + 1}. ${key}: undone`));
      this.pane.flash(`undone: ${key}${r.current ? ` (back to ${r.current.verdict})` : ''}`);
    } catch (e) {
      this.pane.flash(`undo failed: ${(e as Error).message}`, 'error');
    }
    this.renderProgress();
    this.renderVerdict();
  }

  private openNote(): void {
    if (this.pane.init.readOnly) return;
    const key = this.keyAt(this.pane.position);
    if (!key) return;
    this.pane.noteBox.hidden = false;
    this.noteInput.value = this.draftNotes.get(key) ?? this.verdictOf(key)?.note ?? '';
    this.noteInput.focus();
  }

  private closeNote(refocus = true): void {
    if (this.pane.noteBox.hidden) return;
    this.pane.noteBox.hidden = true;
    if (refocus) this.pane.focusItem();
  }

  private async saveNote(): Promise<void> {
    const key = this.keyAt(this.pane.position);
    const note = this.noteInput.value.trim();
    this.closeNote();
    if (!key) return;
    const v = this.verdictOf(key);
    if (v && v.state === 'saved') {
      this.verdicts.set(key, { verdict: v.verdict, note, state: 'saving' });
      this.renderVerdict();
      try {
        const r = await this.pane.ch.request(P.Mark, { key, verdict: v.verdict, note: note || undefined });
        this.verdicts.set(key, { verdict: r.saved.verdict, note: r.saved.note, state: 'saved' });
        this.progress = r.progress;
        this.pane.flash(`note saved: ${key}`);
      } catch (e) {
        this.verdicts.set(key, { verdict: v.verdict, note, state: 'failed', error: (e as Error).message });
      }
    } else if (note) {
      this.draftNotes.set(key, note);
      this.pane.flash('note kept; it is saved with the verdict');
    }
    this.renderVerdict();
  }

  dispose(): void {
    for (const s of this.subs) s();
  }
}
