/**
 * Inputs of the builders: single-image descriptions ({image, description}, JSON or JSONL) grouped by
 * image, or a plain folder of images. Image paths are rewritten relative to the output file's folder
 * so the built dataset resolves its images the same way the input did.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset } from '../dataset';

export interface BuildUnit {
  /** The image path as written in the output (relative to the output's folder when possible). */
  image: string;
  /** The image on disk (absolute), or undefined for URLs. */
  file?: string;
  /** Descriptions of this image (several when the input describes an image more than once). */
  descriptions: string[];
}

export interface LoadedInput {
  units: BuildUnit[];
  /** Records without an image or a description. */
  skipped: number;
  records: number;
}

const IMAGE_EXT = /\.(jpe?g|png|webp|bmp|gif|tiff?)$/i;

function outputPath(abs: string, outDir: string): string {
  const rel = path.relative(outDir, abs);
  return (rel === '' ? path.basename(abs) : rel).split(path.sep).join('/');
}

function locate(p: string, root: string, outDir: string): { image: string; file?: string } {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(p) || p.startsWith('data:')) return { image: p };
  const abs = path.isAbsolute(p) ? p : path.resolve(root, p);
  return { image: outputPath(abs, outDir), file: abs };
}

/** Loads a descriptions file; units in first-appearance order of their images. */
export function loadDescriptions(input: string, outFile: string, imageRoot?: string): LoadedInput {
  const ds = Dataset.open(input);
  try {
    if (ds.format !== 'descriptions') {
      throw new Error(`${input} is not a descriptions file (detected format: ${ds.format}); expected records like {"image": "a.jpg", "description": "…"}`);
    }
    const root = imageRoot ? path.resolve(imageRoot) : ds.folder;
    const outDir = path.dirname(path.resolve(outFile));
    const byImage = new Map<string, BuildUnit>();
    let skipped = 0;
    for (let i = 0; i < ds.count; i++) {
      const r = ds.parse(i);
      if (!r.ok) {
        skipped++;
        continue;
      }
      const item = ds.itemFrom(i, r.value, r.raw);
      const img = item.images[0];
      const desc = item.label?.trim();
      if (!img || !desc) {
        skipped++;
        continue;
      }
      const loc = locate(img, root, outDir);
      const key = loc.file ?? loc.image;
      const u = byImage.get(key);
      if (u) {
        if (!u.descriptions.includes(desc)) u.descriptions.push(desc);
      } else byImage.set(key, { ...loc, descriptions: [desc] });
    }
    return { units: [...byImage.values()], skipped, records: ds.count };
  } finally {
    ds.close();
  }
}

/** Images of a folder (not recursive), sorted by name; or the images named by a descriptions file. */
export function loadImages(input: string, outFile: string, imageRoot?: string): LoadedInput {
  const abs = path.resolve(input);
  if (fs.statSync(abs).isDirectory()) {
    const outDir = path.dirname(path.resolve(outFile));
    const names = fs
      .readdirSync(abs)
      .filter((f) => IMAGE_EXT.test(f))
      .sort();
    return { units: names.map((f) => ({ ...locate(f, abs, outDir), descriptions: [] })), skipped: 0, records: names.length };
  }
  return loadDescriptions(input, outFile, imageRoot);
}
