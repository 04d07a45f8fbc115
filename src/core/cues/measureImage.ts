/**
 * Measures the cues of one image's bytes with sharp/libvips (ARCHITECTURE.md, "Image cues and label claims").
 *
 * Working resolution: the EXIF-rotated image reduced (Lanczos 3) so that its longer side is
 * WORKING_LONG_SIDE = 512 px; every cue except blockiness and megapixels is measured there, so a
 * 12 MP and a 0.5 MP photo are compared as they look at the same display size. Smaller images are
 * measured at their own size: enlarging would invent smoothness and hide their noise. Blockiness needs the
 * 8×8 grid the encoder used, which only exists at the stored resolution and orientation: it is
 * measured on a grid-aligned window of the stored pixels (up to 1024 × 256, a third of the way down,
 * centred), decoding only the rows down to that window.
 */
import sharp from 'sharp';
import { blockiness, workingCues, type WorkingCues } from './cueMath';

export const WORKING_LONG_SIDE = 512;
export const BLOCK_WINDOW = { width: 1024, height: 256 } as const;

export interface ImageCues extends WorkingCues {
  /** See cueMath.blockiness: 1 = none, larger = blockier. */
  blockiness: number;
  /** Stored width × height / 10⁶. */
  megapixels: number;
  /** Stored size in pixels (before EXIF rotation). */
  width: number;
  height: number;
}

const align16 = (x: number) => Math.max(0, Math.floor(x / 16) * 16);

/** The grid-aligned blockiness window of a stored image. */
export function blockWindow(width: number, height: number): { left: number; top: number; width: number; height: number } {
  const w = Math.min(width, BLOCK_WINDOW.width);
  const h = Math.min(height, BLOCK_WINDOW.height);
  const left = Math.min(align16((width - w) / 2), width - w);
  const top = Math.min(align16(height / 3 - h / 2), height - h);
  // A window shifted off the 16-grid by the clamps above loses alignment only for tiny images.
  return { left: left - (left % 8), top: top - (top % 8), width: w, height: h };
}

export async function measureImageBytes(buf: Buffer): Promise<ImageCues> {
  const meta = await sharp(buf, { failOn: 'error' }).metadata();
  const width = meta.width ?? 0,
    height = meta.height ?? 0;
  if (!width || !height) throw new Error('the image has no size');
  const working = await sharp(buf, { failOn: 'error' })
    .rotate()
    .resize({ width: WORKING_LONG_SIDE, height: WORKING_LONG_SIDE, fit: 'inside', kernel: 'lanczos3', withoutEnlargement: true })
    .flatten({ background: { r: 128, g: 128, b: 128 } })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const win = blockWindow(width, height);
  const grey = await sharp(buf, { failOn: 'error', sequentialRead: true })
    .extract(win)
    .flatten({ background: { r: 128, g: 128, b: 128 } })
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const w = working.info;
  const rgb = new Uint8Array(working.data.buffer, working.data.byteOffset, working.data.length);
  const g = new Uint8Array(grey.data.buffer, grey.data.byteOffset, grey.data.length);
  const gw = grey.info.width,
    gh = grey.info.height;
  const grey1 = grey.info.channels === 1 ? g : firstChannel(g, gw, gh, grey.info.channels);
  return {
    ...workingCues(rgb, w.width, w.height, w.channels),
    blockiness: blockiness(grey1, gw, gh),
    megapixels: (width * height) / 1e6,
    width,
    height,
  };
}

function firstChannel(data: Uint8Array, w: number, h: number, channels: number): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let i = 0; i < out.length; i++) out[i] = data[i * channels];
  return out;
}
