/** Single-image descriptions (ARCHITECTURE.md, "Items and formats"): `image` (or `img_path`) and its `description`. */
import { fieldSpan, firstImageField, imageList, str } from './fields';
import type { FormatSpec } from './spec';

export const descriptions: FormatSpec<'descriptions'> = {
  id: 'descriptions',
  matches: (r) => 'description' in r && ('image' in r || 'img_path' in r),
  knownFields: ['id', 'image', 'img_path', 'description'],
  normalize(r, { subset, extra }) {
    const images = imageList(r.image ?? r.img_path);
    return { images, label: str(r.description), subset, groupSize: images.length, extra };
  },
  required: [['description', 'string']],
  check(r, _item, report) {
    if (typeof r.description === 'string' && r.description.trim() === '')
      report('emptyLabel', 'the description is empty; write what the image shows or drop the record', ['description']);
    if (!('image' in r) && !('img_path' in r)) report('missingField', '"image" is missing; a description needs its image', ['image']);
  },
  imageField: firstImageField,
  expectsImages: true,
  labelAt: (tree) => fieldSpan(tree, 'description'),
};
