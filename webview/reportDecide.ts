/**
 * Decide buttons in the report webview (issue #17): under each spot check's headline, a scope
 * (the whole spot check or one stratum) and Keep / Keep with corrections / Drop. A click asks the
 * host to record the decision (core decide, the same code as `cocurate decide`); the status says
 * "saving…" until the host answers with decisions.json on disk. "Export curated dataset…" beside them
 * runs the export command for that spot check. Built from text nodes only.
 */
import type { DecisionValue, ReportDecideTarget } from '../src/protocol';
import { h } from './elements';

const BUTTONS: { value: DecisionValue; text: string; title: string }[] = [
  { value: 'keep', text: 'Keep', title: 'Keep these records as they are' },
  { value: 'keep-with-corrections', text: 'Keep with corrections', title: 'Keep them, with the corrected labels applied on export' },
  { value: 'drop', text: 'Drop', title: 'Drop these records from the curated dataset' },
];

export type Decide = (dir: string, decision: DecisionValue, stratum: string | undefined) => Promise<{ text: string }>;

/** Scope chosen and last status per card, kept across content updates (the host refreshes the report as it records). */
const chosenScope = new Map<number, string>();
const lastStatus = new Map<number, { text: string; state: string }>();

function setStatus(root: HTMLElement, card: number, text: string, state: string): void {
  lastStatus.set(card, { text, state });
  const el = root.querySelector(`#spotcheck-${card} .decide-status`) as HTMLElement | null;
  if (!el) return;
  el.textContent = text;
  el.dataset.state = state;
}

/** Adds a decide bar to each spot-check card of `root` (again after every content update). */
export function addDecideBars(root: HTMLElement, targets: ReportDecideTarget[], decide: Decide, exportCurated: (dir: string) => void): void {
  for (const t of targets) {
    const card = root.querySelector(`#spotcheck-${t.card}`);
    if (!card || card.querySelector('.decide')) continue;
    const scope = h(
      'select',
      { class: 'decide-scope', 'aria-label': `Decide on (${t.name})` },
      h('option', { value: '' }, 'the whole spot check'),
      ...t.strata.map((s) => h('option', { value: `s:${s.name}` }, `stratum ${s.label}`)),
    );
    scope.value = chosenScope.get(t.card) ?? '';
    if (scope.selectedIndex < 0) scope.value = '';
    scope.addEventListener('change', () => chosenScope.set(t.card, scope.value));
    const last = lastStatus.get(t.card);
    const status = h('span', { class: 'decide-status muted', role: 'status', 'aria-live': 'polite', 'data-state': last?.state }, last?.text ?? '');
    const buttons = BUTTONS.map((b) => {
      const el = h('button', { type: 'button', 'data-decide': b.value, title: b.title }, b.text);
      el.addEventListener('click', () => {
        const stratum = scope.value.startsWith('s:') ? scope.value.slice(2) : undefined;
        setStatus(root, t.card, 'saving…', 'saving');
        for (const x of buttons) x.disabled = true;
        decide(t.dir, b.value, stratum)
          .then((r) => setStatus(root, t.card, `recorded: ${r.text}`, 'saved'))
          .catch((e: unknown) => setStatus(root, t.card, `NOT recorded: ${e instanceof Error ? e.message : String(e)}`, 'failed'))
          .finally(() => {
            for (const x of buttons) x.disabled = false;
          });
      });
      return el;
    });
    const exporter = h(
      'button',
      { type: 'button', class: 'export-curated', title: `Write a curated copy of the dataset from ${t.name}'s verdicts, corrections and decisions` },
      'Export curated dataset…',
    );
    exporter.addEventListener('click', () => exportCurated(t.dir));
    const bar = h(
      'div',
      { class: 'toolbar decide', role: 'toolbar', 'aria-label': `Decide on ${t.name}` },
      h('span', { class: 'muted' }, 'Decide on'),
      scope,
      ...buttons,
      status,
      exporter,
    );
    const anchor = card.querySelector('.chips') ?? card.querySelector('h2');
    anchor?.after(bar);
  }
}
