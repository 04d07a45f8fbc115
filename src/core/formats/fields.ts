/** Reading values out of a parsed record, shared by the format specs (ARCHITECTURE.md, "Items and formats"). */
import { findNodeAtLocation, type Node } from 'jsonc-parser';
import type { FieldMapping } from '../item';
import type { FieldType, LabelSpan, Rec } from './spec';

export const LETTERS = 'ABCDEFGHIJ';

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Image list from a string or a string array. */
export function imageList(v: unknown): string[] {
  if (typeof v === 'string') return v === '' ? [] : [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return [];
}

/** Options written into a question as "A. text" lines. */
export function parseInlineOptions(question: string): string[] | undefined {
  const opts: string[] = [];
  for (const line of question.split('\n')) {
    const m = /^\s*\(?([A-J])[.)]\s+(.+?)\s*$/.exec(line);
    if (m && m[1] === LETTERS[opts.length]) opts.push(m[2]);
  }
  return opts.length >= 2 ? opts : undefined;
}

/** The option an answer names: a letter ("B", "(B)", "B.", "B. text") or the option's text. */
export function answerToOption(answer: string, candidates: string[]): string | undefined {
  const a = answer.trim();
  const m = /^\(?([A-J])\)?(?:[.):]|\s|$)/.exec(a);
  if (m) {
    const i = LETTERS.indexOf(m[1]);
    if (i >= 0 && i < candidates.length) return candidates[i];
  }
  const lower = a.toLowerCase().replace(/[.\s]+$/, '');
  return candidates.find((c) => c.toLowerCase().replace(/[.\s]+$/, '') === lower);
}

/** The record's id (its `id`, or the mapped id field) as text, when it is a string or a number. */
export function recordId(rec: unknown, mapping?: FieldMapping): string | undefined {
  if (!rec || typeof rec !== 'object' || Array.isArray(rec)) return undefined;
  const v = mapping?.id ? (rec as Rec)[mapping.id] : (rec as Rec).id;
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

/** Does a value have the JSON type a field requires? */
export function typeOk(v: unknown, t: FieldType): boolean {
  if (t === 'string') return typeof v === 'string';
  if (t === 'number') return typeof v === 'number' && Number.isFinite(v);
  if (t === 'array') return Array.isArray(v);
  return typeof v === 'string' || Array.isArray(v);
}

/** A value's JSON type in words, for messages: "null", "an array", "an object", "a number". */
export const jsonType = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

/** Fields a record without a fixed image field may hold its images in, in the order they are looked for. */
export const IMAGE_FIELD_NAMES = ['images', 'image_paths', 'img_paths', 'image', 'img_path'];

/** The field problems about images point at, in a record without a fixed image field. */
const IMAGE_FIELD_LOOKUP = [...IMAGE_FIELD_NAMES, 'image1'];
export const firstImageField = (r: Rec): string | undefined => IMAGE_FIELD_LOOKUP.find((k) => k in r);

/** The label span of a top-level field of a record's JSON tree, or why there is none. */
export function fieldSpan(tree: Node, name: string): LabelSpan | string {
  return nodeSpan(findNodeAtLocation(tree, [name]), name);
}

/** The label span of a node at `path`, or why there is none. */
export const nodeSpan = (n: Node | undefined, path: string): LabelSpan | string =>
  n ? { offset: n.offset, length: n.length, path } : `the record has no ${path}`;

/** The first of `names` that is a top-level field of the record's JSON tree. */
export const firstFieldIn = (tree: Node, names: readonly string[]): string | undefined => names.find((k) => findNodeAtLocation(tree, [k]));

/** The label span of a record's `answer` or else `label` field (formats without a label of their own). */
export function answerOrLabelSpan(tree: Node): LabelSpan | string {
  const name = firstFieldIn(tree, ['answer', 'label']);
  return name ? fieldSpan(tree, name) : 'the record has no answer or label field';
}
