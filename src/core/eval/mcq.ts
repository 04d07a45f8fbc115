/**
 * MCQ evaluation (Q-Bench A1 / MICBench Table 6 layouts): accuracy overall and by question type,
 * concern and number of images, from per-item answers parsed into option letters.
 */
import type { Item } from '../item';
import { parseOption } from '../answers/parse';

export interface McqRow {
  key: string;
  index: number;
  type?: string;
  concern?: string;
  images: number;
  /** Correct option (0-based), -1 when the record has no answer key. */
  correct: number;
  answer?: string;
  /** Option the answer names, or null when unparsed. */
  chosen?: number | null;
  isCorrect?: boolean;
  error?: string;
  cached?: boolean;
}

export interface Tally {
  n: number;
  correct: number;
  accuracy: number | null;
}

export interface McqReport {
  items: number;
  answered: number;
  failed: number;
  unparsed: number;
  correct: number;
  accuracy: number | null;
  byType: Record<string, Tally>;
  byConcern: Record<string, Tally>;
  byImages: Record<string, Tally>;
  byTypeAndConcern: Record<string, Tally>;
}

/** Q-Bench A1 numeric codes → names. */
const QBENCH_TYPE: Record<string, string> = { '0': 'yes-or-no', '1': 'what', '2': 'how' };
const QBENCH_CONCERN: Record<string, string> = { '0': 'distortion', '1': 'other', '2': 'in-context distortion', '3': 'in-context other' };

function named(v: unknown, names: Record<string, string>): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const s = String(v);
  return names[s] ?? s;
}

/** The row of an item before it is asked; undefined for records that are not multiple-choice. */
export function mcqRowFor(item: Item): McqRow | undefined {
  if (!item.candidates || item.candidates.length < 2 || !item.question) return undefined;
  return {
    key: item.key,
    index: item.index,
    type: named(item.extra.type, QBENCH_TYPE),
    concern: named(item.extra.concern, QBENCH_CONCERN),
    images: item.groupSize || item.images.length,
    correct: item.correct !== undefined ? item.candidates.indexOf(item.correct) : -1,
  };
}

export function scoreAnswer(row: McqRow, answer: string, candidates: string[]): McqRow {
  const chosen = parseOption(answer, candidates);
  return { ...row, answer, chosen: chosen ?? null, isCorrect: chosen !== undefined && chosen === row.correct };
}

function tally(rows: McqRow[], by: (r: McqRow) => string | undefined): Record<string, Tally> {
  const out: Record<string, Tally> = {};
  for (const r of rows) {
    const k = by(r);
    if (k === undefined) continue;
    const t = (out[k] ??= { n: 0, correct: 0, accuracy: null });
    t.n++;
    if (r.isCorrect) t.correct++;
  }
  for (const t of Object.values(out)) t.accuracy = t.n ? t.correct / t.n : null;
  return out;
}

/** Accuracy over answered rows with an answer key; unparsed answers count as wrong. */
export function summarizeMcq(rows: McqRow[]): McqReport {
  const answered = rows.filter((r) => r.answer !== undefined && r.correct >= 0);
  const correct = answered.filter((r) => r.isCorrect).length;
  return {
    items: rows.length,
    answered: answered.length,
    failed: rows.filter((r) => r.error !== undefined).length,
    unparsed: answered.filter((r) => r.chosen === null).length,
    correct,
    accuracy: answered.length ? correct / answered.length : null,
    byType: tally(answered, (r) => r.type),
    byConcern: tally(answered, (r) => r.concern),
    byImages: tally(answered, (r) => String(r.images)),
    byTypeAndConcern: tally(answered, (r) => (r.type !== undefined && r.concern !== undefined ? `${r.type} / ${r.concern}` : undefined)),
  };
}
