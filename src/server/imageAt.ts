/** The image path string under the cursor, if any, and where it resolves under the image root. */
import { findNodeAtOffset, getNodePath, parseTree } from 'jsonc-parser';
import * as path from 'node:path';
import { IMAGE_EXTENSIONS, resolveImagePath, type ResolvedImage } from '../core/imagePaths';
import type { DatasetModel } from './datasetModel';

const IMAGE_FIELDS = new Set(['image', 'images', 'img_path', 'img_paths', 'image_paths', 'image1', 'image2', 'image3', 'image4']);

export interface ImageAt {
  record: number;
  /** The path as written in the record. */
  value: string;
  /** Document offsets of the string literal (quotes included). */
  start: number;
  end: number;
  resolved: ResolvedImage;
}

export function imageAt(model: DatasetModel, offset: number, imageRoot: string): ImageAt | undefined {
  const i = model.recordAt(offset);
  if (i < 0) return undefined;
  const span = model.spans[i];
  const raw = model.raw(i);
  const tree = parseTree(raw);
  if (!tree) return undefined;
  const node = findNodeAtOffset(tree, offset - span.start);
  if (!node || node.type !== 'string' || typeof node.value !== 'string') return undefined;
  // Property keys are strings too: only values count.
  if (node.parent?.type === 'property' && node.parent.children?.[0] === node) return undefined;
  const p = getNodePath(node);
  const field = p.find((s) => typeof s === 'string') as string | undefined;
  const mapped = model.mapping?.images;
  const inImageField = field !== undefined && (IMAGE_FIELDS.has(field) || field === mapped) && p.length <= 2;
  const value = node.value;
  const looksLikeImage =
    IMAGE_EXTENSIONS.includes(path.extname(value.split('_cat_')[0] ?? value).toLowerCase()) || IMAGE_EXTENSIONS.includes(path.extname(value).toLowerCase());
  if (!inImageField && !(looksLikeImage && !value.includes('\n'))) return undefined;
  if (value.trim() === '') return undefined;
  return { record: i, value, start: span.start + node.offset, end: span.start + node.offset + node.length, resolved: resolveImagePath(value, imageRoot) };
}
