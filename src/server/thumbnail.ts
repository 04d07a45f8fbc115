/**
 * Small JPEG thumbnails as data URIs for hovers, made with sharp (loaded lazily; when it cannot be
 * loaded the caller falls back to the image's file URI). Cached by path, size and mtime.
 */
import * as fs from 'node:fs';

type SharpFactory = (input: string) => {
  rotate(): ReturnType<SharpFactory>;
  resize(opts: { width: number; height: number; fit: 'inside'; withoutEnlargement: boolean }): ReturnType<SharpFactory>;
  jpeg(opts: { quality: number }): ReturnType<SharpFactory>;
  toBuffer(): Promise<Buffer>;
};

let sharpLoaded: SharpFactory | null | undefined;

function loadSharp(): SharpFactory | null {
  if (sharpLoaded !== undefined) return sharpLoaded;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    sharpLoaded = require('sharp') as SharpFactory;
  } catch {
    sharpLoaded = null;
  }
  return sharpLoaded;
}

const cache = new Map<string, string>();

/** A `data:image/jpeg;base64,…` thumbnail no larger than `size`×`size`, or undefined. */
export async function thumbnailDataUri(file: string, size = 192): Promise<string | undefined> {
  const sharp = loadSharp();
  if (!sharp) return undefined;
  let key: string;
  try {
    const st = fs.statSync(file);
    key = `${file}\u0000${st.size}\u0000${st.mtimeMs}\u0000${size}`;
  } catch {
    return undefined;
  }
  const hit = cache.get(key);
  if (hit) return hit;
  try {
    const buf = await sharp(file).rotate().resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 75 }).toBuffer();
    const uri = `data:image/jpeg;base64,${buf.toString('base64')}`;
    if (cache.size > 200) cache.clear();
    cache.set(key, uri);
    return uri;
  } catch {
    return undefined;
  }
}
