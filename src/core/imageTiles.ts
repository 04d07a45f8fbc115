/**
 * Full-resolution tiles for 1:1 and closer (ARCHITECTURE.md, "Compare view"): instead of handing the
 * browser a whole 12 MP original to decode (about a second and a half in Chromium), the host decodes
 * the image once with sharp, keeps the upright pixels in memory, and cuts the TILE × TILE squares a
 * viewport shows into lossless PNG files in the preview cache folder.
 *
 * Rules:
 *   - A tile holds the original pixels, EXIF-rotated (upright), losslessly: the decode is sharp's
 *     `.rotate()` to raw RGB(A), a tile is an `extract` of that raster written as an uncompressed PNG.
 *   - Tile (col, row) covers x in [col·T, min((col+1)·T, width)) and y likewise; edge tiles are smaller.
 *   - Tile files are keyed by the original's content hash, so a renamed copy hits them and a changed
 *     file does not; they are written to a temporary name and renamed (atomicWrite.ts).
 *   - Decoded rasters are kept in a small LRU bounded by bytes; `warm` decodes ahead (one at a time,
 *     the latest request first), so a zoom shortly after an item is shown only cuts tiles.
 *   - A truncated or corrupt file throws the same ImageFaultError as previews do.
 */
import * as path from 'node:path';
import sharp from 'sharp';
import { replaceFileAtomic } from './atomicWrite';
import { classify, exists, readImageInfo, type PreviewCache } from './imagePreview';

/**
 * Tile edge in image pixels. 256 keeps what a 1280×720 viewport fetches beyond what it shows small
 * (at most one partly visible tile per side) and each tile a few ms to cut and to decode.
 */
export const TILE_SIZE = 256;

export interface TileGrid {
  width: number;
  height: number;
  tileSize: number;
  cols: number;
  rows: number;
}

export function tileGrid(width: number, height: number, tileSize = TILE_SIZE): TileGrid {
  return { width, height, tileSize, cols: Math.ceil(width / tileSize), rows: Math.ceil(height / tileSize) };
}

export interface Tile {
  col: number;
  row: number;
  /** Upright image-pixel rectangle the tile covers. */
  left: number;
  top: number;
  width: number;
  height: number;
  /** The PNG on disk. */
  file: string;
}

interface Raster {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

export interface TileCacheOptions {
  tileSize?: number;
  /** Decoded rasters kept in memory, in bytes; default 256 MiB (about seven 12 MP RGB photos). */
  maxRasterBytes?: number;
}

export class TileCache {
  readonly tileSize: number;
  private readonly maxRasterBytes: number;
  /** Decoded rasters by content hash, least recently used first. */
  private readonly rasters = new Map<string, Raster>();
  private readonly decoding = new Map<string, Promise<Raster>>();
  private readonly cutting = new Map<string, Promise<Tile>>();
  /** Upright sizes by content hash (from the header). */
  private readonly sizes = new Map<string, { width: number; height: number }>();
  private warmQueue: string[] = [];
  private warming = false;

  constructor(
    private readonly previews: PreviewCache,
    opts: TileCacheOptions = {},
  ) {
    this.tileSize = opts.tileSize ?? TILE_SIZE;
    this.maxRasterBytes = opts.maxRasterBytes ?? 256 * 1024 * 1024;
  }

  get dir(): string {
    return this.previews.dir;
  }

  /**
   * Decodes these files ahead of a zoom, one at a time in order; replaces any files still queued from
   * an earlier call (the item they belonged to is no longer shown). Errors are left for `tiles` to report.
   */
  warm(files: string[]): void {
    this.warmQueue = [...files];
    if (this.warming) return;
    this.warming = true;
    void (async () => {
      try {
        for (let f = this.warmQueue.shift(); f !== undefined; f = this.warmQueue.shift()) {
          try {
            // Tiles cut before (the centre one is on disk) need no decode: a zoom only reads files.
            if (!(await this.centreTileCut(f))) await this.raster(f);
          } catch {
            /* reported when the tiles are asked for */
          }
        }
      } finally {
        this.warming = false;
      }
    })();
  }

  /** Whether a file's pixels are decoded in memory now (for tests and benches). */
  async isDecoded(file: string): Promise<boolean> {
    return this.rasters.has(await this.previews.contentHash(file));
  }

  /** The tiles (col, row) of `file`, cut from its upright full-resolution pixels (cached on disk; a tile on disk needs no decode). */
  async tiles(file: string, wanted: readonly (readonly [number, number])[]): Promise<Tile[]> {
    const hash = await this.previews.contentHash(file);
    let size = this.sizes.get(hash);
    if (!size) {
      const info = await readImageInfo(file);
      size = { width: info.width, height: info.height };
      this.sizes.set(hash, size);
      if (this.sizes.size > 4096) this.sizes.delete(this.sizes.keys().next().value as string);
    }
    const grid = tileGrid(size.width, size.height, this.tileSize);
    return Promise.all(
      wanted.map(([col, row]) => {
        if (!Number.isInteger(col) || !Number.isInteger(row) || col < 0 || row < 0) throw new RangeError(`tile (${col}, ${row}) is not a tile position`);
        if (col >= grid.cols || row >= grid.rows) throw new RangeError(`tile (${col}, ${row}) is outside the ${grid.cols}×${grid.rows} tiles of ${file}`);
        const left = col * this.tileSize;
        const top = row * this.tileSize;
        const rect = { left, top, width: Math.min(this.tileSize, grid.width - left), height: Math.min(this.tileSize, grid.height - top) };
        const out = path.join(this.dir, `${hash}-t${this.tileSize}-${col}-${row}.png`);
        const hit = this.cutting.get(out);
        if (hit) return hit;
        const p = (async (): Promise<Tile> => {
          if (!(await exists(out))) {
            const r = await this.raster(file);
            await replaceFileAtomic(out, (tmp) =>
              sharp(r.data, { raw: { width: r.width, height: r.height, channels: r.channels } })
                .extract(rect)
                // Stored, unfiltered PNG: lossless and the fastest for the browser to decode (no inflate work); local disk only.
                .png({ compressionLevel: 0, adaptiveFiltering: false })
                .toFile(tmp),
            );
          }
          return { col, row, ...rect, file: out };
        })().finally(() => this.cutting.delete(out));
        this.cutting.set(out, p);
        return p;
      }),
    );
  }

  private async centreTileCut(file: string): Promise<boolean> {
    const hash = await this.previews.contentHash(file);
    const info = this.sizes.get(hash) ?? (await readImageInfo(file));
    const t = this.tileSize;
    return exists(path.join(this.dir, `${hash}-t${t}-${Math.floor(info.width / 2 / t)}-${Math.floor(info.height / 2 / t)}.png`));
  }

  /** Drops the decoded rasters (memory); tile files stay on disk. */
  clear(): void {
    this.rasters.clear();
  }

  private async raster(file: string): Promise<Raster> {
    const hash = await this.previews.contentHash(file);
    const have = this.rasters.get(hash);
    if (have) {
      this.rasters.delete(hash);
      this.rasters.set(hash, have);
      return have;
    }
    let p = this.decoding.get(hash);
    if (!p) {
      p = (async () => {
        try {
          const { data, info } = await sharp(file, { failOn: 'error' }).rotate().raw().toBuffer({ resolveWithObject: true });
          return { data, width: info.width, height: info.height, channels: info.channels };
        } catch (e) {
          throw classify(file, e);
        }
      })().finally(() => this.decoding.delete(hash));
      this.decoding.set(hash, p);
      const r = await p;
      this.rasters.set(hash, r);
      this.evict();
      return r;
    }
    return p;
  }

  private evict(): void {
    let total = 0;
    for (const r of this.rasters.values()) total += r.data.length;
    for (const [k, r] of this.rasters) {
      if (total <= this.maxRasterBytes || this.rasters.size <= 1) break;
      this.rasters.delete(k);
      total -= r.data.length;
    }
  }
}
