/**
 * Records of no known format (ARCHITECTURE.md, "Items and formats"): never detected, but a file
 * that matches nothing still opens — images, question and answer are read from the usual field
 * names when they are there, and nothing is required.
 */
import { answerOrLabelSpan, firstImageField, imageList, str } from './fields';
import type { FormatSpec } from './spec';

export const unknown: FormatSpec<'unknown'> = {
  id: 'unknown',
  knownFields: ['id'],
  normalize(r, { subset, extra }) {
    const images = imageList(r.images ?? r.image ?? r.img_path);
    return { images, question: str(r.question), label: str(r.answer) ?? str(r.label), subset, groupSize: images.length, extra };
  },
  required: [],
  imageField: firstImageField,
  expectsImages: false,
  labelAt: answerOrLabelSpan,
};
