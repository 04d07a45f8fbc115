/**
 * Turns a core Item into what the webview shows: image paths resolved under the image root (refused
 * and missing images carry their reason instead of a URI), descriptions aligned with images.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { Dataset } from '../core/dataset';
import { ImageFaultError, PreviewCache, previewSizeFor } from '../core/imagePreview';
import { sniffMime } from '../core/endpoint/imageEncoding';
import { resolveImagePath } from '../core/imagePaths';
import { embeddedImageBytes, isEmbeddedRef } from '../core/parquet/embeddedImages';
import type { Item } from '../core/item';
import type { ImageTileServer } from './imageTileServer';
import type { ImageView, ItemProblem, ItemView } from '../protocol';

export function toItemView(item: Item, imageRoot: string, webview: vscode.Webview): ItemView {
  const images: ImageView[] = item.images.map((p) => {
    if (isEmbeddedRef(p)) return embeddedImageView(p);
    const r = resolveImagePath(p, imageRoot);
    if (!r.ok) return { ok: false, path: p, problem: r.problem, reason: r.problem === 'missing' ? missingImageHint(r.reason, imageRoot) : r.reason };
    return { ok: true, path: p, src: webview.asWebviewUri(vscode.Uri.file(r.abs)).toString() };
  });
  const extra = { ...item.extra };
  const descriptions = takeDescriptions(extra, item.images.length);
  return {
    index: item.index,
    key: item.key,
    hash: item.hash,
    line: item.line,
    format: item.format,
    images,
    question: item.question,
    label: item.label,
    candidates: item.candidates,
    correct: item.correct,
    subset: item.subset,
    groupSize: item.groupSize,
    descriptions,
    extra: Object.keys(extra).length ? JSON.stringify(extra, null, 2) : undefined,
  };
}

/** An image inside a parquet dataset: its bytes as a data URI (no file is written). */
function embeddedImageView(p: string): ImageView {
  try {
    const b = embeddedImageBytes(p);
    return { ok: true, path: p, src: `data:${sniffMime(b)};base64,${b.toString('base64')}` };
  } catch (e) {
    return { ok: false, path: p, problem: 'missing', reason: (e as Error).message };
  }
}

/** A missing image says where it was looked for and how to point the curator at the images. */
function missingImageHint(reason: string, imageRoot: string): string {
  if (!fs.existsSync(imageRoot))
    return `the image root ${imageRoot} does not exist — set "curator.imageRoot" (Settings › Curator) to the folder the dataset's image paths are relative to`;
  return `${reason} — image paths resolve against ${imageRoot}; if the images live elsewhere, set "curator.imageRoot" (Settings › Curator) to their folder`;
}

/** Source descriptions of a Merge2Compare-style item: a string array (one per image) under a known field. */
function takeDescriptions(extra: Record<string, unknown>, n: number): string[] | undefined {
  for (const f of ['descriptions', 'source_descriptions', 'sourceDescriptions', 'image_descriptions']) {
    const v = extra[f];
    if (Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'string')) {
      delete extra[f];
      return v as string[];
    }
  }
  return undefined;
}

/**
 * Item i of a dataset, or the problem that keeps it from showing. With a preview cache, each image
 * gets an upright preview for fit views, its full-size picture for 1:1 and its size after EXIF
 * rotation; a truncated or corrupt file becomes a refused image naming the problem.
 */
export async function loadItem(
  ds: Dataset,
  i: number,
  imageRoot: string,
  webview: vscode.Webview,
  previews?: PreviewCache,
  tiles?: ImageTileServer,
): Promise<{ item?: ItemView; problem?: ItemProblem }> {
  if (!Number.isInteger(i) || i < 0 || i >= ds.count) return { problem: { index: i, message: `no record ${i}; the file has ${ds.count}` } };
  let item: Item;
  let view: ItemView;
  try {
    await ds.prepare([i], { images: true }); // a parquet row group and its images are read in the index worker, not here
    item = ds.item(i);
    view = toItemView(item, imageRoot, webview);
  } catch (e) {
    const err = e as Error & { line?: number };
    return { problem: { index: i, line: err.line ?? ds.index.line(i), message: err.message } };
  }
  if (previews) {
    const n = view.images.length;
    view.images = await Promise.all(
      view.images.map((im, k) => {
        const r = im.ok ? resolveImagePath(item.images[k], imageRoot) : undefined;
        // embedded (parquet) images are already data URIs: no file to preview
        return r?.ok && !isEmbeddedRef(item.images[k]) ? withPictures(im, r.abs, n, previews, webview, tiles) : im;
      }),
    );
  }
  return { item: view };
}

async function withPictures(
  im: ImageView,
  abs: string,
  groupSize: number,
  previews: PreviewCache,
  webview: vscode.Webview,
  tiles?: ImageTileServer,
): Promise<ImageView> {
  const uri = (f: string) => webview.asWebviewUri(vscode.Uri.file(f)).toString();
  try {
    const [p, full] = await Promise.all([previews.preview(abs, previewSizeFor(groupSize)), previews.fullSize(abs)]);
    const base = { ok: true as const, path: im.path, width: full.width, height: full.height };
    // A picture no larger than its preview is shown as itself (no re-encoding).
    if (p.width === full.width && p.height === full.height) return { ...base, src: uri(full.file), srcWidth: full.width, srcHeight: full.height };
    // Magnified past its preview, the compare view asks for full-resolution tiles (a 12 MP original decodes too slowly).
    return { ...base, src: uri(p.file), full: uri(full.file), srcWidth: p.width, srcHeight: p.height, tiles: tiles?.source(abs) };
  } catch (e) {
    if (e instanceof ImageFaultError) return { ok: false, path: im.path, problem: e.fault, reason: e.message };
    return im; // sharp could not run here: the webview loads the file as it is
  }
}
