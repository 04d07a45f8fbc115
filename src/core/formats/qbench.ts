/**
 * Q-Bench A1 and Q-Bench2 pairs (ARCHITECTURE.md, "Items and formats"): `img_path`, `question`,
 * `candidates` and the correct option's text in `correct_ans`. A pair is one picture of two images
 * side by side, named `<first>_cat_<second>`; a file with any pair is a pair file.
 */
import type { Node } from 'jsonc-parser';
import type { FormatId } from '../item';
import { fieldSpan, str } from './fields';
import type { FormatSpec, ItemFields, NormalizeInput, ProblemSink, Rec } from './spec';

const isPairPath = (img: string): boolean => img.includes('_cat_');

const looksLikeQBench = (r: Rec): r is Rec & { img_path: string } => typeof r.img_path === 'string' && Array.isArray(r.candidates);

/** One record of either family member: a `_cat_` path makes it a pair, whatever the file is. */
function normalizeQBench(format: FormatId, r: Rec, { subset, extra }: NormalizeInput): ItemFields {
  const img = str(r.img_path) ?? '';
  const candidates = Array.isArray(r.candidates) ? r.candidates.map(String) : [];
  const correct = str(r.correct_ans);
  const isPair = isPairPath(img);
  const parts = isPair ? img.replace(/^.*\//, '').split('_cat_') : undefined;
  if (parts) extra.concatenated = parts;
  if (r.type !== undefined) extra.type = r.type;
  if (r.concern !== undefined) extra.concern = r.concern;
  return {
    format: isPair ? 'qbench2-pair' : format,
    images: img ? [img] : [],
    question: str(r.question),
    label: correct,
    candidates,
    correct,
    subset,
    groupSize: isPair ? 2 : img ? 1 : 0,
    extra,
  };
}

/** At least two candidates, and `correct_ans` is one of them, word for word. */
function checkAnswer(r: Rec, report: ProblemSink): void {
  if (Array.isArray(r.candidates) && r.candidates.length < 2)
    report('wrongType', `"candidates" has ${r.candidates.length} option(s); a question needs at least 2`, ['candidates']);
  if ('correct_ans' in r) {
    if (typeof r.correct_ans !== 'string' || r.correct_ans.trim() === '')
      report('emptyLabel', '"correct_ans" is empty; give the correct option text', ['correct_ans']);
    else if (Array.isArray(r.candidates) && !r.candidates.map(String).includes(r.correct_ans)) {
      report(
        'answerNotCandidate',
        `"correct_ans" "${r.correct_ans}" is not one of the candidates (${r.candidates.map((c) => JSON.stringify(c)).join(', ')}); copy the option text exactly`,
        ['correct_ans'],
      );
    }
  }
}

const shared = {
  knownFields: ['id', 'img_path', 'question', 'candidates', 'correct_ans', 'type', 'concern'],
  required: [
    ['img_path', 'string'],
    ['question', 'string'],
    ['candidates', 'array'],
  ],
  check: (r: Rec, _item: unknown, report: ProblemSink) => checkAnswer(r, report),
  imageField: () => 'img_path',
  expectsImages: true,
  labelAt: (tree: Node) => fieldSpan(tree, 'correct_ans'),
} as const satisfies Partial<FormatSpec>;

export const qbenchA1: FormatSpec<'qbench-a1'> = {
  id: 'qbench-a1',
  ...shared,
  matches: (r) => looksLikeQBench(r) && !isPairPath(r.img_path),
  normalize: (r, input) => normalizeQBench('qbench-a1', r, input),
};

export const qbench2Pair: FormatSpec<'qbench2-pair'> = {
  id: 'qbench2-pair',
  ...shared,
  matches: (r) => looksLikeQBench(r) && isPairPath(r.img_path),
  absorbs: ['qbench-a1'],
  normalize: (r, input) => normalizeQBench('qbench2-pair', r, input),
};
