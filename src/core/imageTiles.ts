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
 *   - Tiles asked for while the whole image is not decoded are cut from a decode of just the rectangle
 *     they cover (`regionRaster`): the stored (not yet rotated) rectangle is extracted before the EXIF
 *     transform is applied to it, which libvips decodes for a fraction of a whole 12 MP JPEG.
 *   - Work ahead (`warm`), one image at a time, never while a tile request is in flight: first the tiles
 *     the view says a first zoom will show — of the group on screen, then of the NEXT group (region
 *     decodes, no raster kept) — so a zoom pressed as soon as an item is shown only reads files; then,
 *     for an image on screen whose tiles a request had to cut (the user zoomed into it), a decode of the
 *     whole image for pans, after QUIET_MS without requests. A newer `warm` replaces what is still queued
 *     (the user moved elsewhere). Decoded rasters are kept in a small LRU bounded by bytes.
 *   - A truncated or corrupt file throws the same ImageFaultError as previews do (a region decode
 *     finds truncation only where the region reaches the missing data).
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

/** Warm work starts only after this long without a tile request or a warm call (ms). */
const QUIET_MS = 150;

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

/** Tiles of a file to cut ahead (a group's first view). */
export interface WarmCut {
  file: string;
  tiles: (readonly [number, number])[];
}

type WarmJob = { cut: WarmCut; decode?: undefined } | { decode: string; cut?: undefined };

interface StoredInfo {
  /** Upright size. */
  width: number;
  height: number;
  orientation: number;
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
  /** Tile files being cut, by path. */
  private readonly cutting = new Map<string, Promise<void>>();
  /** Upright sizes and EXIF orientation by content hash (from the header). */
  private readonly infos = new Map<string, StoredInfo>();
  private warmQueue: WarmJob[] = [];
  private warming = false;
  /** The images on screen (the last warm call). */
  private onScreen = new Set<string>();
  /** Tile requests in flight (warm waits for them), and who waits for none. */
  private inFlight = 0;
  private readonly idleWaiters: (() => void)[] = [];
  private lastActivity = 0;
  /** Faults a whole decode found (truncation is found only by reading to the end), by content hash. */
  private readonly faults = new Map<string, Error>();

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
   * Work ahead of a zoom (one image at a time, never during a tile request): cut the tiles `cut` names, in
   * order (first views of the shown and the next group: a zoom there only reads files). `files` are the
   * images on screen: one whose tiles a request had to cut is then decoded whole, for pans. Replaces what
   * is still queued for images no longer on screen. Errors are left for `tiles` to report.
   */
  warm(files: string[], cut: readonly WarmCut[] = []): void {
    this.lastActivity = Date.now();
    this.onScreen = new Set(files);
    this.warmQueue = [...cut.map((n): WarmJob => ({ cut: n })), ...this.warmQueue.filter((j) => j.decode !== undefined && this.onScreen.has(j.decode))];
    this.pump();
  }

  private pump(): void {
    if (this.warming || !this.warmQueue.length) return;
    this.warming = true;
    void (async () => {
      try {
        for (;;) {
          if (!this.warmQueue.length) break;
          await this.quiet(!!this.warmQueue[0].decode);
          const job = this.warmQueue.shift();
          if (!job) break;
          try {
            if (job.cut) {
              if (job.cut.tiles.length) await this.tiles(job.cut.file, job.cut.tiles.slice(0, 64), { background: true });
            } else if (this.onScreen.has(job.decode)) await this.raster(job.decode);
          } catch {
            /* reported when the tiles are asked for */
          }
        }
      } finally {
        this.warming = false;
      }
    })();
  }

  /** Whether warm work is queued or running (for tests and benches). */
  get warmingAhead(): boolean {
    return this.warming || this.warmQueue.length > 0;
  }

  /**
   * Resolves when no tile request (other than warm's own) is in flight; before a whole decode, also none
   * was, nor a warm call made, for QUIET_MS (a zoom pressed as soon as an item is shown gets the CPU).
   */
  private async quiet(decode: boolean): Promise<void> {
    for (;;) {
      if (!decode) {
        if (this.inFlight > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
        if (this.inFlight === 0) return;
        continue;
      }
      if (this.inFlight > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
      const wait = this.lastActivity + QUIET_MS - Date.now();
      if (wait <= 0 && this.inFlight === 0) return;
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** Whether a file's pixels are decoded in memory now (for tests and benches). */
  async isDecoded(file: string): Promise<boolean> {
    return this.rasters.has(await this.previews.contentHash(file));
  }

  /**
   * The tiles (col, row) of `file`, cut from its upright full-resolution pixels (cached on disk; a tile on
   * disk needs no decode). Cut from the whole decoded image when it is in memory, else from a decode of
   * the rectangle the missing tiles cover.
   */
  async tiles(file: string, wanted: readonly (readonly [number, number])[], opts: { background?: boolean } = {}): Promise<Tile[]> {
    if (!opts.background) this.inFlight++;
    try {
      const { tiles, cut } = await this.cutTiles(file, wanted);
      // The user zoomed into an image on screen that is not decoded: decode it whole for the pan that may follow.
      if (cut && !opts.background && this.onScreen.has(file) && !this.warmQueue.some((j) => j.decode === file)) {
        const hash = await this.previews.contentHash(file);
        if (!this.rasters.has(hash) && !this.decoding.has(hash)) {
          this.warmQueue.push({ decode: file });
          this.pump();
        }
      }
      return tiles;
    } finally {
      if (!opts.background) {
        this.lastActivity = Date.now();
        if (--this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
      }
    }
  }

  private async cutTiles(file: string, wanted: readonly (readonly [number, number])[]): Promise<{ tiles: Tile[]; cut: boolean }> {
    const hash = await this.previews.contentHash(file);
    const fault = this.faults.get(hash);
    if (fault) throw fault;
    let info = this.infos.get(hash);
    if (!info) {
      const i = await readImageInfo(file);
      info = { width: i.width, height: i.height, orientation: i.orientation };
      this.infos.set(hash, info);
      if (this.infos.size > 4096) this.infos.delete(this.infos.keys().next().value as string);
    }
    const size = info;
    const grid = tileGrid(size.width, size.height, this.tileSize);
    const rects = wanted.map(([col, row]) => {
      if (!Number.isInteger(col) || !Number.isInteger(row) || col < 0 || row < 0) throw new RangeError(`tile (${col}, ${row}) is not a tile position`);
      if (col >= grid.cols || row >= grid.rows) throw new RangeError(`tile (${col}, ${row}) is outside the ${grid.cols}×${grid.rows} tiles of ${file}`);
      const left = col * this.tileSize;
      const top = row * this.tileSize;
      const rect = { left, top, width: Math.min(this.tileSize, grid.width - left), height: Math.min(this.tileSize, grid.height - top) };
      return { col, row, rect, out: path.join(this.dir, `${hash}-t${this.tileSize}-${col}-${row}.png`) };
    });
    // Tiles neither on disk nor being cut: cut them from one source (the whole raster, or their bounding region).
    const todo: typeof rects = [];
    for (const t of rects) if (!this.cutting.has(t.out) && !(await exists(t.out))) todo.push(t);
    if (todo.length) {
      const source = (async (): Promise<Raster & { left: number; top: number }> => {
        const whole = this.rasters.get(hash);
        if (whole) return { ...whole, left: 0, top: 0 };
        const left = Math.min(...todo.map((t) => t.rect.left));
        const top = Math.min(...todo.map((t) => t.rect.top));
        const right = Math.max(...todo.map((t) => t.rect.left + t.rect.width));
        const bottom = Math.max(...todo.map((t) => t.rect.top + t.rect.height));
        return regionRaster(file, info, { left, top, width: right - left, height: bottom - top });
      })();
      source.catch(() => undefined);
      for (const t of todo) {
        const p = (async (): Promise<void> => {
          const r = await source;
          await replaceFileAtomic(t.out, (tmp) =>
            sharp(r.data, { raw: { width: r.width, height: r.height, channels: r.channels } })
              .extract({ ...t.rect, left: t.rect.left - r.left, top: t.rect.top - r.top })
              // Stored, unfiltered PNG: lossless and the fastest for the browser to decode (no inflate work); local disk only.
              .png({ compressionLevel: 0, adaptiveFiltering: false })
              .toFile(tmp),
          );
        })().finally(() => this.cutting.delete(t.out));
        this.cutting.set(t.out, p);
      }
    }
    await Promise.all(rects.map((t) => this.cutting.get(t.out)));
    return { tiles: rects.map((t) => ({ col: t.col, row: t.row, ...t.rect, file: t.out })), cut: todo.length > 0 };
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
          const fault = classify(file, e);
          this.faults.set(hash, fault);
          if (this.faults.size > 256) this.faults.delete(this.faults.keys().next().value as string);
          throw fault;
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

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The stored-pixel rectangle that EXIF orientation `o` turns into the upright rectangle `r` of an image
 * whose upright size is `up` (stored size: swapped for orientations 5–8).
 */
export function storedRect(r: Rect, o: number, up: { width: number; height: number }): Rect {
  const W = o >= 5 ? up.height : up.width; // stored width
  const H = o >= 5 ? up.width : up.height;
  switch (o) {
    case 2:
      return { left: W - r.left - r.width, top: r.top, width: r.width, height: r.height };
    case 3:
      return { left: W - r.left - r.width, top: H - r.top - r.height, width: r.width, height: r.height };
    case 4:
      return { left: r.left, top: H - r.top - r.height, width: r.width, height: r.height };
    case 5:
      return { left: r.top, top: r.left, width: r.height, height: r.width };
    case 6:
      return { left: r.top, top: H - r.left - r.width, width: r.height, height: r.width };
    case 7:
      return { left: W - r.top - r.height, top: H - r.left - r.width, width: r.height, height: r.width };
    case 8:
      return { left: W - r.top - r.height, top: r.left, width: r.height, height: r.width };
    default:
      return { ...r };
  }
}

/** sharp operations turning stored pixels upright for EXIF orientation `o` (flip/flop run before rotate). */
function orient(img: sharp.Sharp, o: number): sharp.Sharp {
  switch (o) {
    case 2:
      return img.flop();
    case 3:
      return img.rotate(180);
    case 4:
      return img.flip();
    case 5:
      return img.flip().rotate(90);
    case 6:
      return img.rotate(90);
    case 7:
      return img.flop().rotate(90);
    case 8:
      return img.rotate(270);
    default:
      return img;
  }
}

/**
 * The upright pixels of rectangle `r` only: the stored rectangle is extracted before any EXIF transform
 * (so libvips decodes the part of the file it needs, not the whole image), then turned upright.
 */
async function regionRaster(file: string, info: StoredInfo, r: Rect): Promise<Raster & { left: number; top: number }> {
  try {
    const stored = await sharp(file, { failOn: 'error' })
      .extract(storedRect(r, info.orientation, info))
      .raw()
      .toBuffer({ resolveWithObject: true });
    const raw = { raw: { width: stored.info.width, height: stored.info.height, channels: stored.info.channels } };
    const { data, info: out } =
      info.orientation > 1 && info.orientation <= 8
        ? await orient(sharp(stored.data, raw), info.orientation).raw().toBuffer({ resolveWithObject: true })
        : { data: stored.data, info: stored.info };
    if (out.width !== r.width || out.height !== r.height) throw new Error(`region ${r.width}×${r.height} decoded as ${out.width}×${out.height}`);
    return { data, width: out.width, height: out.height, channels: out.channels, left: r.left, top: r.top };
  } catch (e) {
    throw classify(file, e);
  }
}
