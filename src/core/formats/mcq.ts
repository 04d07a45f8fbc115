/**
 * Generic multiple choice (ARCHITECTURE.md, "Items and formats"): a question, a list of candidates
 * (`candidates`, `options` or `choices`), an answer given as an index, a letter or the option's
 * text, and images — under the usual field names, or the ones a field mapping names
 * (`cocurate --map question=…,candidates=…`).
 */
import { answerToOption, fieldSpan, firstFieldIn, firstImageField, IMAGE_FIELD_NAMES, imageList, str } from './fields';
import type { FormatSpec } from './spec';

/** Where the answer is looked for when no field mapping names it. */
const ANSWER_FIELDS = ['answer', 'correct_ans', 'correct_choice', 'gt'];

export const mcq: FormatSpec<'mcq'> = {
  id: 'mcq',
  matches: (r, mapping) =>
    Boolean(mapping && mapping.question && mapping.question in r) ||
    ('question' in r && (Array.isArray(r.candidates) || Array.isArray(r.options) || Array.isArray(r.choices))),
  knownFields: [
    'id',
    'question',
    'candidates',
    'options',
    'choices',
    'answer',
    'correct_ans',
    'correct_choice',
    'images',
    'image',
    'img_path',
    'img_paths',
    'image_paths',
    'type',
    'concern',
    'subset',
  ],
  normalize(r, { mapping, subset, extra }) {
    const m = mapping ?? {};
    const imgField = m.images ?? IMAGE_FIELD_NAMES.find((k) => k in r);
    const images = imgField ? imageList(r[imgField]) : [];
    const candField = m.candidates ?? ['candidates', 'options', 'choices'].find((k) => k in r);
    const candidates = candField && Array.isArray(r[candField]) ? (r[candField] as unknown[]).map(String) : [];
    const ansField = m.answer ?? ANSWER_FIELDS.find((k) => k in r);
    const answer = ansField ? r[ansField] : undefined;
    const correct = typeof answer === 'number' ? candidates[answer] : typeof answer === 'string' ? answerToOption(answer, candidates) : undefined;
    const type = m.type ? r[m.type] : r.type;
    const concern = m.concern ? r[m.concern] : r.concern;
    if (type !== undefined) extra.type = type;
    if (concern !== undefined) extra.concern = concern;
    if (answer !== undefined && correct === undefined) extra.answer = answer;
    const q = m.question ? r[m.question] : r.question;
    return {
      images,
      question: str(q),
      label: correct ?? (answer === undefined ? undefined : String(answer)),
      candidates,
      correct,
      subset,
      groupSize: images.length,
      extra,
    };
  },
  required: [],
  check(_r, item, report) {
    if (!item.candidates || item.candidates.length < 2)
      report('missingField', 'the question has fewer than 2 candidates; map the candidates field (--map candidates=FIELD)', ['candidates']);
    else if (item.label !== undefined && item.correct === undefined) {
      report('answerNotCandidate', `the answer "${item.label}" is not one of the candidates (${item.candidates.map((c) => JSON.stringify(c)).join(', ')})`, [
        'answer',
      ]);
    }
    // A record without an answer (a test split) is fine.
  },
  imageField: firstImageField,
  expectsImages: true,
  labelAt(tree, mapping) {
    const name = mapping?.answer ?? firstFieldIn(tree, ANSWER_FIELDS);
    return name ? fieldSpan(tree, name) : 'the record has no answer field';
  },
};
