/**
 * Review mode (ARCHITECTURE.md › Webview): positions are plan positions. Marks, undo and notes go
 * to the host, which answers after the verdict is on disk; until then the verdict shows "saving…".
 * The host names plan positions only (GetPlanItem, ShowPlanPosition).
 * Corrections and reasons (issue #17): r opens an inline editor on the label (correctionEditor.ts);
 * the digits of `curator.review.reasons` toggle a reason. Each change is one journal line carrying
 * the item's whole state (verdict, note, correction, reasons), shown "saving…" until it is on disk.
 */
import * as P from '../src/protocol';
import { clear, h } from './elements';
import { ClaimsPanel } from './claimsPanel';
import { CorrectionEditor } from './correctionEditor';
import { timings, type ItemPane, type ModeController } from './itemPane';

/** What an item's journal line says (or is about to say). */
type Want = { verdict: P.Verdict; note?: string; correction?: string; reasons?: string[] };
type Local = Want & { state: 'saving' | 'saved' | 'failed'; error?: string };

const fromSaved = (s: P.SavedVerdict): Local => ({
  verdict: s.verdict,
  note: s.note,
  ...(s.correction !== undefined ? { correction: s.correction } : {}),
  ...(s.reasons?.length ? { reasons: s.reasons } : {}),
  state: 'saved',
});

export class ReviewController implements ModeController {
  readonly prefetch = true;
  private readonly plan: P.PlanInfo;
  private readonly verdicts = new Map<string, Local>();
  private readonly draftNotes = new Map<string, string>();
  private progress: P.Progress;
  private reasons: P.ReviewReason[];
  /** The latest write per key: an older answer arriving late never overwrites a newer state. */
  private readonly writeSeq = new Map<string, number>();
  private readonly reasonsBar = h('div', { class: 'reasons-bar', role: 'group', 'aria-label': 'Reasons the item is incorrect' });
  private readonly corrector: CorrectionEditor;
  private readonly claims = new ClaimsPanel();
  private claimsSeq = 0;
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
    this.reasons = init.reasons ?? [];
    for (const [k, s] of Object.entries(init.verdicts ?? {})) this.verdicts.set(k, fromSaved(s));
    this.corrector = new CorrectionEditor({
      save: (key, text) => void this.saveCorrection(key, text),
      closed: () => this.pane.focusItem(),
    });
    this.subs = [
      pane.ch.on(P.ReviewReasons, ({ reasons }) => {
        this.reasons = reasons;
        this.renderVerdict();
      }),
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
    this.reasonsBar.addEventListener('click', (e) => {
      const b = (e.target as Element | null)?.closest('button[data-reason-key]') as HTMLButtonElement | null;
      if (b?.dataset.reasonKey) void this.toggleReason(b.dataset.reasonKey);
    });
    pane.layout({
      subtitle: `${dataset.name} · ${this.plan.size} items · seed ${this.plan.seed} · strata ${this.plan.strata} · reviewer ${this.plan.reviewer}`,
      jump: true,
      footer: h(
        'footer',
        { class: 'keys' },
        readOnly
          ? 'Read-only: ←/→ move'
          : 'c correct · x incorrect · r correct the label · 1–9 reasons · s skip · n note · u/Backspace undo · ←/→ move · e enlarge · g go to',
        h('details', { class: 'saved-log-box' }, h('summary', {}, 'Saved in this session'), this.savedLog),
      ),
    });
    if (!readOnly) pane.verdictEl.after(this.reasonsBar);
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
    this.corrector.close(false);
  }

  shown(pos: number, item: P.ItemView | undefined): void {
    this.renderVerdict();
    if (item) void this.loadClaims(pos, item.key);
  }

  /** The claims panel beside the label (issue #16). */
  get labelAside(): HTMLElement {
    return this.claims.el;
  }

  private async loadClaims(pos: number, key: string): Promise<void> {
    const seq = ++this.claimsSeq;
    this.claims.loading(key);
    try {
      const v = await this.pane.ch.request(P.GetClaims, { position: pos });
      if (seq === this.claimsSeq && v.key === key) this.claims.show(v);
    } catch (e) {
      if (seq === this.claimsSeq) this.claims.failed(key, (e as Error).message);
    }
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

  onKey(action: P.KeyAction, key?: string): boolean {
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
      case 'correction':
        this.openCorrection();
        return true;
      case 'reason':
        if (key) void this.toggleReason(key);
        return true;
      case 'escape':
        this.closeNote();
        this.corrector.close();
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
    this.renderReasons(v);
    if (!v) {
      el.append(h('span', { class: 'verdict-none' }, 'Not judged yet'));
      const draft = key ? this.draftNotes.get(key) : undefined;
      if (draft) el.append(h('span', { class: 'verdict-note' }, ` · note waiting for a verdict: ${draft}`));
      return;
    }
    const word = v.verdict === 'correct' ? '✓ Correct' : v.verdict === 'incorrect' ? '✗ Incorrect' : '↷ Skipped';
    const state = v.state === 'saved' ? 'saved' : v.state === 'saving' ? 'saving…' : `NOT saved: ${v.error ?? ''}`;
    el.append(h('span', { class: `verdict-word verdict-${v.verdict}` }, word), h('span', { class: `verdict-state state-${v.state}` }, ` — ${state}`));
    if (v.reasons?.length) el.append(h('span', { class: 'verdict-reasons', 'data-reasons': v.reasons.join('\n') }, ` · ${v.reasons.join(' · ')}`));
    if (v.note) el.append(h('span', { class: 'verdict-note' }, ` · note: ${v.note}`));
    if (v.correction !== undefined)
      el.append(
        h(
          'div',
          { class: 'verdict-correction' },
          h('span', { class: 'verdict-correction-title' }, 'Corrected label: '),
          h('q', { 'data-role': 'correction' }, v.correction),
        ),
      );
  }

  /** The reason keys as toggle buttons; pressed = recorded for this item (only an incorrect item has reasons). */
  private renderReasons(v: Local | undefined): void {
    const chosen = new Set(v?.verdict === 'incorrect' ? (v.reasons ?? []) : []);
    this.reasonsBar.replaceChildren(
      ...this.reasons.map((r) =>
        h(
          'button',
          {
            type: 'button',
            class: 'reason',
            'data-reason-key': r.key,
            'aria-pressed': String(chosen.has(r.reason)),
            title: `${r.key}: ${chosen.has(r.reason) ? 'take back' : 'record'} this reason (marks the item incorrect)`,
            'aria-label': `Reason ${r.key}: ${r.reason}`,
          },
          h('kbd', {}, r.key),
          ` ${r.reason}`,
        ),
      ),
    );
    this.reasonsBar.hidden = this.reasons.length === 0;
  }

  /**
   * Writes the item's whole state as one journal line; it shows "saving…" until the host answers
   * (after append + fsync). Returns the saved state, or undefined when it failed or a newer write
   * for the same item overtook it.
   */
  private async write(key: string, pos: number, want: Want, advance = false): Promise<P.SavedVerdict | undefined> {
    const seq = (this.writeSeq.get(key) ?? 0) + 1;
    this.writeSeq.set(key, seq);
    this.verdicts.set(key, { ...want, state: 'saving' });
    this.renderVerdict();
    const t0 = performance.now();
    const saving = this.pane.ch.request(P.Mark, {
      key,
      verdict: want.verdict,
      ...(want.note !== undefined ? { note: want.note } : {}),
      ...(want.correction !== undefined ? { correction: want.correction } : {}),
      ...(want.reasons?.length ? { reasons: want.reasons } : {}),
    });
    if (advance && pos < this.length - 1) void this.pane.show(pos + 1);
    try {
      const r = await saving;
      timings().save.push(performance.now() - t0);
      if (r.hostMs !== undefined) timings().saveHost.push(r.hostMs);
      this.progress = r.progress;
      this.logSaved(key, r.saved, pos);
      if (this.writeSeq.get(key) === seq) this.verdicts.set(key, fromSaved(r.saved));
      this.renderProgress();
      this.renderVerdict();
      return r.saved;
    } catch (e) {
      if (this.writeSeq.get(key) === seq) this.verdicts.set(key, { ...want, state: 'failed', error: (e as Error).message });
      this.pane.flash(`NOT saved: ${key}: ${(e as Error).message}`, 'error');
      this.renderProgress();
      this.renderVerdict();
      return undefined;
    }
  }

  private async mark(verdict: P.Verdict): Promise<void> {
    if (this.pane.init.readOnly) {
      this.pane.flash(this.pane.init.readOnlyReason ?? 'read-only', 'error');
      return;
    }
    const pos = this.pane.position;
    const key = this.keyAt(pos);
    if (!key) return;
    const cur = this.verdictOf(key);
    const note = this.draftNotes.get(key) ?? cur?.note;
    // Marking incorrect again keeps the correction and reasons; another verdict drops them.
    const keep = verdict === 'incorrect' && cur?.verdict === 'incorrect' ? { correction: cur.correction, reasons: cur.reasons } : {};
    // Send the verdict first, then move on at once; the saved state arrives with the host's answer.
    const saved = await this.write(key, pos, { verdict, note, ...keep }, true);
    if (!saved) return;
    this.draftNotes.delete(key);
    const p = this.progress;
    let text = `saved: ${key} ${saved.verdict} (${p.judged} / ${p.size})`;
    if (saved.verdict === 'incorrect' && saved.correction === undefined) text += ' — ← back, then r corrects the label, 1–9 give reasons';
    if (pos === this.length - 1 && p.judged === p.size) text = `saved: ${key} ${saved.verdict} — all ${p.size} items judged`;
    this.pane.flash(text);
  }

  private logSaved(key: string, saved: P.SavedVerdict, pos: number): void {
    const extra = [
      saved.reasons?.length ? `reasons: ${saved.reasons.join(', ')}` : '',
      saved.correction !== undefined ? `corrected to “${saved.correction}”` : '',
      saved.note ? `note: ${saved.note}` : '',
    ].filter(Boolean);
    this.savedLog.prepend(
      h(
        'li',
        {
          'data-key': key,
          'data-verdict': saved.verdict,
          'data-reasons': saved.reasons?.join('\n'),
          'data-corrected': saved.correction !== undefined ? 'true' : undefined,
        },
        `${pos + 1}. ${key}: ${saved.verdict}${extra.length ? ` · ${extra.join(' · ')}` : ''}`,
      ),
    );
  }

  /** r: the inline editor on the label, prefilled with the correction so far or the label itself. */
  private openCorrection(): void {
    if (this.pane.init.readOnly) {
      this.pane.flash(this.pane.init.readOnlyReason ?? 'read-only', 'error');
      return;
    }
    const key = this.keyAt(this.pane.position);
    const item = this.pane.current;
    if (!key || !item || item.key !== key) return;
    if (item.label === undefined) {
      this.pane.flash('this record has no label to correct', 'error');
      return;
    }
    const v = this.verdictOf(key);
    const labelEl = this.pane.itemEl.querySelector('[data-role="label"]');
    if (!labelEl) return;
    this.closeNote(false);
    this.corrector.open(labelEl as HTMLElement, key, v?.verdict === 'incorrect' && v.correction !== undefined ? v.correction : item.label, item.label);
    this.pane.reportFocus();
  }

  private async saveCorrection(key: string, text: string): Promise<void> {
    const pos = this.plan.items.findIndex((i) => i.key === key);
    const item = this.pane.current;
    if (pos < 0) return;
    const v = this.verdictOf(key);
    const was = v?.verdict === 'incorrect' ? v.correction : undefined;
    const correction = text.trim();
    if (correction === (was ?? '') && v?.verdict === 'incorrect') {
      this.pane.flash('correction unchanged');
      return;
    }
    if (was === undefined && item?.key === key && correction === (item.label ?? '').trim()) {
      this.pane.flash('the label is unchanged: no correction saved');
      return;
    }
    const note = this.draftNotes.get(key) ?? v?.note;
    const reasons = v?.verdict === 'incorrect' ? v.reasons : undefined;
    const saved = await this.write(key, pos, { verdict: 'incorrect', note, ...(correction ? { correction } : {}), reasons });
    if (!saved) return;
    this.draftNotes.delete(key);
    this.pane.flash(correction ? `correction saved: ${key} (marked incorrect)` : `correction removed: ${key}`);
  }

  /** A reason key: records the reason (marking the item incorrect if it is not), or takes it back. */
  private async toggleReason(digit: string): Promise<void> {
    if (this.pane.init.readOnly) {
      this.pane.flash(this.pane.init.readOnlyReason ?? 'read-only', 'error');
      return;
    }
    const r = this.reasons.find((x) => x.key === digit);
    if (!r) {
      this.pane.flash(`no reason on key ${digit} (setting curator.review.reasons)`, 'error');
      return;
    }
    const pos = this.pane.position;
    const key = this.keyAt(pos);
    if (!key) return;
    const v = this.verdictOf(key);
    const incorrect = v?.verdict === 'incorrect';
    const had = incorrect ? (v.reasons ?? []) : [];
    const on = !had.includes(r.reason);
    // Reasons keep the order of the setting, so the journal and the report read the same way.
    const want = new Set(on ? [...had, r.reason] : had.filter((x) => x !== r.reason));
    const reasons = [...this.reasons.map((x) => x.reason).filter((x) => want.has(x)), ...[...want].filter((x) => !this.reasons.some((y) => y.reason === x))];
    const note = this.draftNotes.get(key) ?? v?.note;
    const saved = await this.write(key, pos, { verdict: 'incorrect', note, correction: incorrect ? v.correction : undefined, reasons });
    if (!saved) return;
    this.draftNotes.delete(key);
    this.pane.flash(`${on ? 'reason saved' : 'reason taken back'}: ${key} — ${r.reason}${incorrect ? '' : ' (marked incorrect)'}`);
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
      if (r.current) this.verdicts.set(key, fromSaved(r.current));
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
    const pos = this.pane.position;
    const key = this.keyAt(pos);
    const note = this.noteInput.value.trim();
    this.closeNote();
    if (!key) return;
    const v = this.verdictOf(key);
    if (v && v.state === 'saved') {
      const saved = await this.write(key, pos, { verdict: v.verdict, note: note || undefined, correction: v.correction, reasons: v.reasons });
      if (saved) this.pane.flash(`note saved: ${key}`);
    } else if (note) {
      this.draftNotes.set(key, note);
      this.pane.flash('note kept; it is saved with the verdict');
    }
    this.renderVerdict();
  }

  dispose(): void {
    this.corrector.close(false);
    for (const s of this.subs) s();
  }
}
