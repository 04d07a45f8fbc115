/**
 * Images for pixel-level judging (ARCHITECTURE.md, "Compare view"): dimensions after EXIF rotation,
 * downscaled previews made with sharp for fit views (cached on disk by content hash and size), the
 * original (or a lossless upright copy when a browser cannot show it as is) for 1:1, and corrupt or
 * truncated files told apart with a message that names the file and the problem.
 *
 * Rules:
 *   - Every picture handed out is upright: previews are EXIF-rotated; an original is handed out as is
 *     only when it is a JPEG (browsers apply its EXIF orientation) or has no rotation; otherwise a
 *     rotated PNG copy is made.
 *   - A preview is made with a full decode that fails on a truncated or corrupt file, so a broken
 *     image is found before it would show as a half-grey or empty box.
 *   - Cache files are written to a temporary name and renamed, so a reader never sees half a file.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { replaceFileAtomic } from './atomicWrite';

/** What can be wrong with an image file. */
export type ImageFault = 'missing' | 'unreadable' | 'empty' | 'not-an-image' | 'truncated' | 'corrupt';

/** A file that cannot be shown, with a message naming the file and the problem. */
export class ImageFaultError extends Error {
  constructor(
    readonly file: string,
    readonly fault: ImageFault,
    readonly detail: string,
  ) {
    super(`${file}: ${FAULT_TEXT[fault]}${detail ? ` (${detail})` : ''}`);
    this.name = 'ImageFaultError';
  }
}

const FAULT_TEXT: Record<ImageFault, string> = {
  missing: 'the image file does not exist',
  unreadable: 'the image file cannot be read',
  empty: 'the image file is empty (0 bytes)',
  'not-an-image': 'the file is not an image of a supported type',
  truncated: 'the image is truncated: the file ends before the image data does; re-export or re-download it',
  corrupt: 'the image is corrupt: its data cannot be decoded',
};

/** A short title for a fault, for placeholders ("Image truncated"). */
export function faultTitle(fault: ImageFault): string {
  return {
    missing: 'Image not found',
    unreadable: 'Image unreadable',
    empty: 'Image file empty',
    'not-an-image': 'Not an image',
    truncated: 'Image truncated',
    corrupt: 'Image corrupt',
  }[fault];
}

/** Header facts of an image. */
export interface ImageInfo {
  /** Size as shown, after EXIF rotation. */
  width: number;
  height: number;
  /** EXIF orientation (1–8; 1 when absent). */
  orientation: number;
  /** sharp's format name: jpeg, png, webp, gif, tiff, … */
  format: string;
  bytes: number;
}

/**
 * Preview size (longer side, px) for an image shown at fit in a group of `groupSize` side by side in an
 * editor of about 1280–1920 px: big enough not to be magnified at fit on a 1× screen, small enough to
 * decode four in a frame or two. A magnified preview is replaced by the full-size picture anyway.
 */
export function previewSizeFor(groupSize: number, devicePixelRatio = 1): number {
  const base = groupSize <= 1 ? 1600 : groupSize === 2 ? 1024 : 768;
  return Math.round(Math.min(4096, base * Math.max(1, devicePixelRatio)));
}

/** Formats Chromium (the webview) draws itself. */
const BROWSER_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif']);

/** An error from reading or decoding `file`, as the ImageFaultError that names its problem. */
export function classify(file: string, e: unknown): ImageFaultError {
  if (e instanceof ImageFaultError) return e;
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return new ImageFaultError(file, 'missing', '');
  if (err?.code === 'EACCES' || err?.code === 'EISDIR' || err?.code === 'EPERM') return new ImageFaultError(file, 'unreadable', err.code);
  const msg = String(err?.message ?? e)
    .replace(/\s+/g, ' ')
    .trim();
  if (/corrupt header|bad header|not a jpeg|invalid/i.test(msg)) return new ImageFaultError(file, 'corrupt', msg);
  if (/premature end|truncated|unexpected end|end of file|short read|not enough data/i.test(msg)) return new ImageFaultError(file, 'truncated', msg);
  if (/unsupported image format|input file contains unsupported/i.test(msg)) return new ImageFaultError(file, 'not-an-image', msg);
  return new ImageFaultError(file, 'corrupt', msg);
}

/** Size after EXIF rotation, orientation and format, from the header only (fast; does not find truncation). */
export async function readImageInfo(file: string): Promise<ImageInfo> {
  let bytes: number;
  try {
    bytes = (await fs.promises.stat(file)).size;
  } catch (e) {
    throw classify(file, e);
  }
  if (bytes === 0) throw new ImageFaultError(file, 'empty', '');
  try {
    const m = await sharp(file).metadata();
    const orientation = m.orientation ?? 1;
    const w = m.autoOrient?.width ?? (orientation >= 5 ? m.height : m.width);
    const h = m.autoOrient?.height ?? (orientation >= 5 ? m.width : m.height);
    if (!w || !h || !m.format) throw new ImageFaultError(file, 'corrupt', 'the header gives no size');
    return { width: w, height: h, orientation, format: m.format, bytes };
  } catch (e) {
    throw classify(file, e);
  }
}

export interface Preview {
  /** The upright JPEG preview on disk, at most maxSide on its longer side (never enlarged). */
  file: string;
  width: number;
  height: number;
  /** The original as shown (after EXIF rotation). */
  original: ImageInfo;
  /** sha256 of the original's bytes, first 16 hex digits: the cache key. */
  contentHash: string;
  /** Whether the preview was already on disk. */
  cached: boolean;
}

export interface FullSize {
  /** A file a browser shows upright at its full size: the original, or an upright PNG copy. */
  file: string;
  width: number;
  height: number;
  /** True when `file` is a copy made because the original's format or orientation needs it. */
  converted: boolean;
}

export interface PreviewCacheOptions {
  /** JPEG quality of previews; default 85. */
  quality?: number;
  /** Prune the cache down to this many bytes (oldest first) after writes; default 512 MiB. */
  maxBytes?: number;
}

/**
 * Previews and upright full-size copies in a cache folder, keyed by content hash and size: a renamed or
 * copied file hits the cache; a changed file (new bytes) does not. Concurrent requests for the same
 * picture share one sharp run.
 */
export class PreviewCache {
  private readonly quality: number;
  private readonly maxBytes: number;
  private readonly hashes = new Map<string, Promise<string>>();
  private readonly running = new Map<string, Promise<unknown>>();
  private written = 0;

  constructor(
    readonly dir: string,
    opts: PreviewCacheOptions = {},
  ) {
    this.quality = opts.quality ?? 85;
    this.maxBytes = opts.maxBytes ?? 512 * 1024 * 1024;
  }

  /** sha256 of the file's bytes (16 hex digits), remembered by path, size and mtime. */
  async contentHash(file: string): Promise<string> {
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(file);
    } catch (e) {
      throw classify(file, e);
    }
    if (st.size === 0) throw new ImageFaultError(file, 'empty', '');
    const k = `${file}\0${st.size}\0${st.mtimeMs}`;
    let p = this.hashes.get(k);
    if (!p) {
      p = hashFile(file).catch((e) => {
        this.hashes.delete(k);
        throw classify(file, e);
      });
      this.hashes.set(k, p);
      if (this.hashes.size > 4096) this.hashes.delete(this.hashes.keys().next().value as string);
    }
    return p;
  }

  /** An upright preview no larger than maxSide; throws ImageFaultError for a missing, truncated or corrupt file. */
  async preview(file: string, maxSide: number): Promise<Preview> {
    if (!Number.isInteger(maxSide) || maxSide < 16) throw new RangeError(`preview size must be an integer ≥ 16, got ${maxSide}`);
    const hash = await this.contentHash(file);
    const out = path.join(this.dir, `${hash}-${maxSide}.jpg`);
    const meta = path.join(this.dir, `${hash}.json`);
    return this.once(out, async () => {
      const known = await readJson<{ original: ImageInfo; previews: Record<string, [number, number]> }>(meta);
      const size = known?.previews[String(maxSide)];
      if (known && size && (await exists(out))) {
        return { file: out, width: size[0], height: size[1], original: known.original, contentHash: hash, cached: true };
      }
      const original = known?.original ?? (await readImageInfo(file));
      let info: sharp.OutputInfo;
      try {
        info = await replaceFileAtomic(out, (tmp) =>
          sharp(file, { failOn: 'error' })
            .rotate()
            .resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true })
            .jpeg({ quality: this.quality, mozjpeg: false })
            .toFile(tmp),
        );
      } catch (e) {
        throw classify(file, e);
      }
      const record = { original, previews: { ...(known?.previews ?? {}), [String(maxSide)]: [info.width, info.height] as [number, number] } };
      await replaceFileAtomic(meta, (tmp) => fs.promises.writeFile(tmp, JSON.stringify(record)));
      await this.noteWrite(info.size);
      return { file: out, width: info.width, height: info.height, original, contentHash: hash, cached: false };
    });
  }

  /**
   * The picture for 1:1: the original file when a browser shows it upright as is (JPEG, or PNG/WebP/GIF
   * without rotation), else an upright lossless PNG copy in the cache. Checks the whole file decodes.
   */
  async fullSize(file: string): Promise<FullSize> {
    const info = await readImageInfo(file);
    if (BROWSER_FORMATS.has(info.format) && (info.format === 'jpeg' || info.orientation === 1)) {
      return { file, width: info.width, height: info.height, converted: false };
    }
    const hash = await this.contentHash(file);
    const out = path.join(this.dir, `${hash}-full.png`);
    return this.once(out, async () => {
      if (!(await exists(out))) {
        try {
          const written = await replaceFileAtomic(out, (tmp) => sharp(file, { failOn: 'error' }).rotate().png({ compressionLevel: 1 }).toFile(tmp));
          await this.noteWrite(written.size);
        } catch (e) {
          throw classify(file, e);
        }
      }
      return { file: out, width: info.width, height: info.height, converted: true };
    });
  }

  /** Deletes the oldest cache files until the folder holds at most maxBytes. */
  async prune(maxBytes = this.maxBytes): Promise<{ removed: number; bytes: number }> {
    let names: string[];
    try {
      names = await fs.promises.readdir(this.dir);
    } catch {
      return { removed: 0, bytes: 0 };
    }
    const files: { p: string; size: number; t: number }[] = [];
    for (const n of names) {
      if (n.startsWith('.tmp-')) continue;
      try {
        const st = await fs.promises.stat(path.join(this.dir, n));
        if (st.isFile()) files.push({ p: path.join(this.dir, n), size: st.size, t: st.mtimeMs });
      } catch {
        /* removed meanwhile by another window */
      }
    }
    let total = files.reduce((s, f) => s + f.size, 0);
    let removed = 0;
    files.sort((a, b) => a.t - b.t);
    for (const f of files) {
      if (total <= maxBytes) break;
      await fs.promises.rm(f.p, { force: true });
      total -= f.size;
      removed++;
    }
    return { removed, bytes: total };
  }

  private once<T>(key: string, make: () => Promise<T>): Promise<T> {
    const hit = this.running.get(key) as Promise<T> | undefined;
    if (hit) return hit;
    const p = make().finally(() => this.running.delete(key));
    this.running.set(key, p);
    return p;
  }

  private async noteWrite(bytes: number): Promise<void> {
    this.written += bytes;
    if (this.written > this.maxBytes / 8) {
      this.written = 0;
      await this.prune();
    }
  }
}

async function hashFile(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of fs.createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex').slice(0, 16);
}

export async function exists(p: string): Promise<boolean> {
  try {
    await fs.promises.access(p);
    return true;
  } catch {
    return false;
  }
}

async function readJson<T>(p: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.promises.readFile(p, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
