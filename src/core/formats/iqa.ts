/** IQA score lists (ARCHITECTURE.md, "Items and formats"): one image in `img_path` and its score in `gt_score`. */
import { answerOrLabelSpan, str } from './fields';
import type { FormatSpec } from './spec';

export const iqa: FormatSpec<'iqa'> = {
  id: 'iqa',
  matches: (r) => 'img_path' in r && 'gt_score' in r,
  knownFields: ['id', 'img_path', 'gt_score'],
  normalize(r, { subset, extra }) {
    const img = str(r.img_path);
    const score = typeof r.gt_score === 'number' ? r.gt_score : Number(r.gt_score);
    return {
      images: img ? [img] : [],
      label: Number.isFinite(score) ? String(score) : undefined,
      score: Number.isFinite(score) ? score : undefined,
      subset,
      groupSize: img ? 1 : 0,
      extra,
    };
  },
  required: [
    ['img_path', 'string'],
    ['gt_score', 'number'],
  ],
  imageField: () => 'img_path',
  expectsImages: true,
  // A score is not corrected as text: only an `answer` or `label` field is.
  labelAt: answerOrLabelSpan,
};
