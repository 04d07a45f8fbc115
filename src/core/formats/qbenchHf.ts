/**
 * Q-Bench on Hugging Face (ARCHITECTURE.md, "Items and formats"): `question`, `option0..3` (unused
 * ones "N/A"), the correct option's letter in `correct_choice`, and images in `image`, `image1..4`.
 */
import { firstImageField, imageList, LETTERS, str } from './fields';
import type { FormatSpec } from './spec';

const IMAGE_FIELDS = ['image', 'image1', 'image2', 'image3', 'image4'];

const optionInUse = (o: unknown): boolean => o !== undefined && o !== null && o !== 'N/A';

export const qbenchHf: FormatSpec<'qbench-hf'> = {
  id: 'qbench-hf',
  matches: (r) => 'option0' in r && 'question' in r,
  knownFields: ['id', 'question', 'option0', 'option1', 'option2', 'option3', 'correct_choice', 'question_type', 'question_concern', ...IMAGE_FIELDS],
  normalize(r, { subset, extra }) {
    const images: string[] = [];
    for (const k of IMAGE_FIELDS) images.push(...imageList(r[k]));
    const candidates: string[] = [];
    for (let i = 0; i < 4; i++) {
      const o = r[`option${i}`];
      if (!optionInUse(o)) continue;
      candidates.push(String(o));
    }
    const letter = str(r.correct_choice)?.trim().toUpperCase();
    const ci = letter ? LETTERS.indexOf(letter) : -1;
    const correct = ci >= 0 ? (str(r[`option${ci}`]) ?? undefined) : undefined;
    if (r.question_type !== undefined) extra.type = r.question_type;
    if (r.question_concern !== undefined) extra.concern = r.question_concern;
    return { images, question: str(r.question), label: correct, candidates, correct, subset, groupSize: images.length, extra };
  },
  required: [
    ['question', 'string'],
    ['option0', 'string'],
    ['option1', 'string'],
  ],
  check(r, _item, report) {
    if (!['image', 'image1'].some((k) => k in r)) report('missingField', '"image" (or "image1") is missing', ['image']);
    if ('correct_choice' in r) {
      const letter = typeof r.correct_choice === 'string' ? r.correct_choice.trim().toUpperCase() : '';
      const k = 'ABCD'.indexOf(letter);
      const opt = k >= 0 ? r[`option${k}`] : undefined;
      if (letter === '') report('emptyLabel', '"correct_choice" is empty; give the letter of the correct option', ['correct_choice']);
      else if (k < 0 || !optionInUse(opt)) {
        report(
          'answerNotCandidate',
          `"correct_choice" "${String(r.correct_choice)}" names no option (options in use: ${[0, 1, 2, 3]
            .filter((i) => r[`option${i}`] !== undefined && r[`option${i}`] !== 'N/A')
            .map((i) => 'ABCD'[i])
            .join(', ')})`,
          ['correct_choice'],
        );
      }
    }
  },
  imageField: firstImageField,
  expectsImages: true,
  labelAt: () => 'Q-Bench-HF records name the answer by letter (correct_choice); correct them in the source',
};
