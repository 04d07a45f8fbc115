/** The normalised view of one dataset record (ARCHITECTURE.md, "Items and formats"). */

export type FormatId = 'llava' | 'qbench-a1' | 'qbench-hf' | 'qbench2-pair' | 'mcq' | 'iqa' | 'descriptions' | 'unknown';

export const FORMAT_IDS: readonly FormatId[] = ['llava', 'qbench-a1', 'qbench-hf', 'qbench2-pair', 'mcq', 'iqa', 'descriptions', 'unknown'];

export interface Turn {
  role: 'user' | 'assistant';
  text: string;
}

export interface Item {
  /** 0-based position in the file. */
  index: number;
  /** The record's `id` when present and unique, else `#<index>`. */
  key: string;
  /** Hash of the record's raw text (sha1, hex, first 16 chars). */
  hash: string;
  /** 1-based line where the record starts. */
  line: number;
  format: FormatId;
  /** Image paths in order, as written in the record. */
  images: string[];
  turns?: Turn[];
  /** First user turn without image placeholders and ordinal prefixes. */
  question?: string;
  /** Reference answer (first assistant turn, correct option text, description, score). */
  label?: string;
  /** Options of a multiple-choice record. */
  candidates?: string[];
  /** The correct option's text, for multiple-choice records. */
  correct?: string;
  /** Numeric score (IQA score lists). */
  score?: number;
  subset?: string;
  /** Number of images shown (a `_cat_` picture counts its parts). */
  groupSize: number;
  /** Untouched other fields. */
  extra: Record<string, unknown>;
}

/** Which record fields feed which Item fields, for MCQ files with unpublished field names. */
export interface FieldMapping {
  id?: string;
  images?: string;
  question?: string;
  candidates?: string;
  answer?: string;
  type?: string;
  concern?: string;
  subset?: string;
}

export function parseFieldMapping(spec: string): FieldMapping {
  const allowed = new Set(['id', 'images', 'question', 'candidates', 'answer', 'type', 'concern', 'subset']);
  const out: Record<string, string> = {};
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`field mapping "${part}" must look like item=recordField`);
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (!allowed.has(k)) throw new Error(`field mapping names unknown item field "${k}" (use ${[...allowed].join(', ')})`);
    out[k] = v;
  }
  return out as FieldMapping;
}
