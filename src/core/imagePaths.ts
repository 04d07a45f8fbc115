/**
 * Resolves image paths against an image root (ARCHITECTURE.md, "Image paths"). Paths that escape the root — URLs,
 * absolute paths, ".." segments, symlinks out of it — are refused and never read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { embeddedAvailable, isEmbeddedRef } from './parquet/embeddedImages';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.gif', '.tif', '.tiff'];

export type ImagePathProblem = 'url' | 'absolute' | 'escapes' | 'symlink-escape' | 'missing' | 'unsupported-type' | 'empty';

export type ResolvedImage = { ok: true; path: string; abs: string } | { ok: false; path: string; problem: ImagePathProblem; reason: string; abs?: string };

const URL_RE = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

/** Lexical check only (no file system access): is the path allowed under the root? */
export function checkImagePathSyntax(p: string, root: string): ResolvedImage {
  if (isEmbeddedRef(p)) return { ok: true, path: p, abs: p };
  if (p.trim() === '') return { ok: false, path: p, problem: 'empty', reason: 'the image path is empty' };
  if (/^[a-zA-Z]:[\\/]/.test(p) || p.startsWith('/') || p.startsWith('\\')) {
    return { ok: false, path: p, problem: 'absolute', reason: `"${p}" is an absolute path; image paths must be relative to the image root` };
  }
  if (URL_RE.test(p)) return { ok: false, path: p, problem: 'url', reason: `"${p}" is a URL; only files under the image root are shown` };
  const normal = path.posix.normalize(p.replace(/\\/g, '/'));
  if (normal === '..' || normal.startsWith('../')) {
    return { ok: false, path: p, problem: 'escapes', reason: `"${p}" leaves the image root through ".."` };
  }
  const ext = path.extname(normal).toLowerCase();
  const abs = path.join(root, normal);
  if (!IMAGE_EXTENSIONS.includes(ext)) {
    return {
      ok: false,
      path: p,
      problem: 'unsupported-type',
      abs,
      reason: `"${p}" has ${ext ? `type "${ext}"` : 'no file extension'}; supported: ${IMAGE_EXTENSIONS.join(' ')}`,
    };
  }
  return { ok: true, path: p, abs };
}

/** Full check: syntax, then existence and symlinks (the real path must stay under the root). */
export function resolveImagePath(p: string, root: string): ResolvedImage {
  // An image inside an open dataset file (parquet): no path on disk; its bytes come from the dataset.
  if (isEmbeddedRef(p))
    return embeddedAvailable(p)
      ? { ok: true, path: p, abs: p }
      : { ok: false, path: p, problem: 'missing', reason: `the dataset file holding ${p} is not open` };
  const lexical = checkImagePathSyntax(p, root);
  if (!lexical.ok) return lexical;
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(root);
  } catch {
    realRoot = path.resolve(root);
  }
  const outside = (target: string): boolean => {
    const rel = path.relative(realRoot, target);
    return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
  };
  let real: string;
  try {
    real = fs.realpathSync(lexical.abs);
  } catch {
    // Missing: but a link that dangles out of the root escapes it all the same (the target leaves the root).
    const target = danglingTarget(lexical.abs);
    if (outside(target)) {
      return {
        ok: false,
        path: p,
        problem: 'symlink-escape',
        abs: lexical.abs,
        reason: `"${p}" is a link to ${target}, outside the image root ${realRoot} (and the target does not exist)`,
      };
    }
    return { ok: false, path: p, problem: 'missing', abs: lexical.abs, reason: `image file not found: ${lexical.abs}` };
  }
  if (outside(real)) {
    return { ok: false, path: p, problem: 'symlink-escape', abs: lexical.abs, reason: `"${p}" is a link to ${real}, outside the image root ${realRoot}` };
  }
  return { ok: true, path: p, abs: real };
}

/**
 * Where a path that does not resolve points: its existing parent resolved, then each symlink along
 * the way followed (at most 40, like the kernel) until a name that does not exist.
 */
function danglingTarget(abs: string, budget = { links: 40 }): string {
  try {
    return fs.realpathSync(abs);
  } catch {
    /* follow it by hand below */
  }
  const parent = path.dirname(abs);
  const base = path.join(parent === abs ? abs : danglingTarget(parent, budget), path.basename(abs));
  let st: fs.Stats;
  try {
    st = fs.lstatSync(base);
  } catch {
    return base;
  }
  if (!st.isSymbolicLink() || budget.links-- <= 0) return base;
  let link: string;
  try {
    link = fs.readlinkSync(base);
  } catch {
    return base;
  }
  return danglingTarget(path.resolve(path.dirname(base), link), budget);
}
