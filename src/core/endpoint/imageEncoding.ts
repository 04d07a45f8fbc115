/**
 * Images as the model sees them (ARCHITECTURE.md, "Endpoint"): EXIF orientation applied, padded to a square with the
 * CLIP mean colour, resized to 448 px, sent as a JPEG data URI; or, in "original" mode, the file's
 * own bytes. The content hash (of the file bytes) keys the answers cache.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import type { ImagePreprocessing } from './profile';

/** CLIP's image mean (0.48145466, 0.4578275, 0.40821073) × 255, rounded: the padding colour. */
export const CLIP_MEAN_RGB = { r: 123, g: 117, b: 104 } as const;

export interface EncodedImage {
  dataUri: string;
  mime: string;
  /** sha256 of the file's bytes, first 16 hex digits. */
  contentHash: string;
  /** Size of the picture sent. */
  width: number;
  height: number;
  /** Bytes of the picture sent (before base64). */
  bytes: number;
}

export interface EncodeOptions {
  mode: ImagePreprocessing;
  /** Side of the square (mode "square"); default 448. */
  size?: number;
  /** JPEG quality of preprocessed images; default 95. */
  quality?: number;
}

export function contentHash(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex').slice(0, 16);
}

/** MIME type from the first bytes, falling back to the extension. */
export function sniffMime(buf: Buffer, fileName = ''): string {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'image/jpeg';
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (buf.length >= 6 && /^GIF8[79]a$/.test(buf.toString('latin1', 0, 6))) return 'image/gif';
  if (buf.length >= 12 && buf.toString('latin1', 0, 4) === 'RIFF' && buf.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  if (buf.length >= 2 && buf.toString('latin1', 0, 2) === 'BM') return 'image/bmp';
  if (buf.length >= 4 && (buf.toString('latin1', 0, 4) === 'II*\0' || buf.toString('latin1', 0, 4) === 'MM\0*')) return 'image/tiff';
  const ext = path.extname(fileName).toLowerCase();
  return (
    (
      {
        '.jpg': 'image/jpeg',
        '.jpeg': 'image/jpeg',
        '.png': 'image/png',
        '.webp': 'image/webp',
        '.gif': 'image/gif',
        '.bmp': 'image/bmp',
        '.tif': 'image/tiff',
        '.tiff': 'image/tiff',
      } as Record<string, string>
    )[ext] ?? 'application/octet-stream'
  );
}

/** Encodes image bytes. */
export async function encodeImageBytes(buf: Buffer, opts: EncodeOptions, fileName = ''): Promise<EncodedImage> {
  const hash = contentHash(buf);
  if (opts.mode === 'original') {
    const mime = sniffMime(buf, fileName);
    let width = 0,
      height = 0;
    try {
      const meta = await sharp(buf).metadata();
      width = meta.width ?? 0;
      height = meta.height ?? 0;
    } catch {
      /* sent as is even when sharp cannot read it */
    }
    return { dataUri: `data:${mime};base64,${buf.toString('base64')}`, mime, contentHash: hash, width, height, bytes: buf.length };
  }
  const size = opts.size ?? 448;
  const { data, info } = await sharp(buf, { failOn: 'error' })
    .rotate() // applies EXIF orientation
    .flatten({ background: CLIP_MEAN_RGB })
    .resize({ width: size, height: size, fit: 'contain', background: CLIP_MEAN_RGB })
    .jpeg({ quality: opts.quality ?? 95 })
    .toBuffer({ resolveWithObject: true });
  return {
    dataUri: `data:image/jpeg;base64,${data.toString('base64')}`,
    mime: 'image/jpeg',
    contentHash: hash,
    width: info.width,
    height: info.height,
    bytes: data.length,
  };
}

/**
 * Encodes image files, remembering recent results (2AFC asks about the same image many times).
 * Keyed by path, size, mtime and options, so a changed file is read again.
 */
export class ImageEncoder {
  private readonly memo = new Map<string, Promise<EncodedImage>>();
  constructor(
    private readonly opts: EncodeOptions,
    private readonly capacity = 256,
  ) {}

  get options(): EncodeOptions {
    return this.opts;
  }

  encodeFile(absPath: string): Promise<EncodedImage> {
    const st = fs.statSync(absPath);
    const k = `${absPath}\0${st.size}\0${st.mtimeMs}`;
    const hit = this.memo.get(k);
    if (hit) {
      this.memo.delete(k);
      this.memo.set(k, hit);
      return hit;
    }
    const p = fs.promises.readFile(absPath).then((buf) => encodeImageBytes(buf, this.opts, absPath));
    p.catch(() => this.memo.delete(k));
    this.memo.set(k, p);
    while (this.memo.size > this.capacity) this.memo.delete(this.memo.keys().next().value as string);
    return p;
  }
}
