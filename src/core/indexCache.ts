/**
 * Persistent record index (issue #15): the offsets, lines, id hashes and groups of every record in
 * a compact binary file, keyed by a fingerprint of the dataset (size, mtime, inode, and a hash of
 * its first and last 64 KiB), so that reopening a large dataset does not scan it again.
 *
 * Where: `COCURATE_CACHE_DIR` when set; else `.curator/index/` beside the dataset when that folder
 * can be written; else `$XDG_CACHE_HOME/cocurate` (`~/.cache/cocurate`). A cache file that is
 * stale (the fingerprint differs), truncated, corrupt (checksum) or foreign (another dataset, other
 * index options, another format version) is ignored and rebuilt: a cache never yields a wrong record.
 *
 * File layout (little-endian): magic "CCIDX" 0 2 0 | u32 header length H | header JSON, padded
 * with spaces to a multiple of 8 | columns as float64 × count: starts, ends, lines, idHashes,
 * [groupIds when grouped], then the extra columns named in the header (per-record values derived
 * from the records, e.g. group sizes for a format) | CRC-32 of everything before it (u32, then 4
 * zero bytes).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { writeFileAtomic } from './atomicWrite';
import type { Container, IndexError, RecordIndex } from './recordIndex';

const MAGIC = Buffer.from([0x43, 0x43, 0x49, 0x44, 0x58, 0x00, 0x02, 0x00]); // "CCIDX" v2
const VERSION = 2;
const SUM = 8; // CRC-32 + padding: a checksum 5× cheaper than sha1 on a 20 MB index

let crcTable: Int32Array | undefined;
/** CRC-32 (zlib's; a table-driven one where this Node has no zlib.crc32). */
function crc32(b: Uint8Array): number {
  const native = (zlib as { crc32?: (d: Uint8Array) => number }).crc32;
  if (native) return native(b) >>> 0;
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let c = -1;
  for (let i = 0; i < b.length; i++) c = crcTable[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
const EDGE = 65536;

/** Files smaller than this are indexed faster than a cache file is checked (default 1 MiB). */
export const DEFAULT_CACHE_MIN_BYTES = 1 << 20;

export interface Fingerprint {
  size: number;
  mtimeMs: number;
  ino: number;
  dev: number;
  /** sha1 of the first and the last 64 KiB, hex. */
  edges: string;
}

export interface CacheOptions {
  /** Cache folder (overrides COCURATE_CACHE_DIR and the default places). */
  dir?: string;
  /** Smallest dataset worth caching (bytes); default COCURATE_CACHE_MIN_BYTES or 1 MiB. */
  minBytes?: number;
}

/** What the index was built with: a cache built with other options is foreign. */
export interface IndexKey {
  container?: Container;
  idField: string;
}

interface Header {
  v: number;
  path: string;
  fp: Fingerprint;
  key: { container: Container | null; idField: string };
  container: Container;
  count: number;
  bytes: number;
  errors: IndexError[];
  errorsOmitted: number;
  groupNames: string[];
  /** Names of the extra columns, in file order. */
  extras?: string[];
}

/** Extra per-record columns stored with the index (name → one value per record). */
export type ExtraColumns = Map<string, Float64Array>;

/** Fingerprint of an open regular file. */
export function fingerprintFd(fd: number, st: fs.Stats = fs.fstatSync(fd)): Fingerprint {
  const h = createHash('sha1');
  const head = Buffer.allocUnsafe(Math.min(EDGE, st.size));
  const n = fs.readSync(fd, head, 0, head.length, 0);
  h.update(head.subarray(0, n));
  if (st.size > EDGE) {
    const tail = Buffer.allocUnsafe(Math.min(EDGE, st.size - EDGE));
    const m = fs.readSync(fd, tail, 0, tail.length, st.size - tail.length);
    h.update(tail.subarray(0, m));
  }
  return { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, dev: st.dev, edges: h.digest('hex') };
}

export const sameFingerprint = (a: Fingerprint, b: Fingerprint): boolean =>
  a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino && a.dev === b.dev && a.edges === b.edges;

function minBytes(opts: CacheOptions): number {
  if (opts.minBytes !== undefined) return opts.minBytes;
  const env = Number(process.env.COCURATE_CACHE_MIN_BYTES);
  return process.env.COCURATE_CACHE_MIN_BYTES !== undefined && Number.isFinite(env) ? env : DEFAULT_CACHE_MIN_BYTES;
}

/** Is a dataset of this size cached at all? */
export function worthCaching(size: number, opts: CacheOptions = {}): boolean {
  return size >= minBytes(opts);
}

/** The user-level cache folder: COCURATE_CACHE_DIR, else $XDG_CACHE_HOME/cocurate, else ~/.cache/cocurate. */
export function userCacheDir(): string {
  if (process.env.COCURATE_CACHE_DIR) return path.resolve(process.env.COCURATE_CACHE_DIR);
  const xdg = process.env.XDG_CACHE_HOME;
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache'), 'cocurate');
}

/**
 * Candidate cache files for a dataset, in the order they are tried: with an explicit folder (option
 * or COCURATE_CACHE_DIR) only that one; else beside the dataset, then the user cache.
 */
export function cacheFiles(datasetAbs: string, opts: CacheOptions = {}): string[] {
  const base = path.basename(datasetAbs);
  const pathHash = createHash('sha1').update(datasetAbs).digest('hex').slice(0, 16);
  const inUserDir = (dir: string): string => path.join(dir, `${pathHash}-${base}.cidx`);
  const explicit = opts.dir ?? process.env.COCURATE_CACHE_DIR;
  if (explicit) return [inUserDir(path.resolve(explicit))];
  return [path.join(path.dirname(datasetAbs), '.curator', 'index', `${base}.cidx`), inUserDir(userCacheDir())];
}

/** A record index held in typed arrays (loaded from a cache file, or moved from the index worker). */
export class LoadedIndex implements RecordIndex {
  constructor(
    readonly container: Container,
    readonly bytes: number,
    private readonly starts: Float64Array,
    private readonly ends: Float64Array,
    private readonly lines: Float64Array,
    private readonly idHashes: Float64Array,
    private readonly groupIds: Float64Array | undefined,
    private readonly groupNames: string[],
    readonly errors: IndexError[],
    readonly errorsOmitted: number,
  ) {}
  get count(): number {
    return this.starts.length;
  }
  start(i: number): number {
    this.check(i);
    return this.starts[i];
  }
  end(i: number): number {
    this.check(i);
    return this.ends[i];
  }
  line(i: number): number {
    this.check(i);
    return this.lines[i];
  }
  idHash(i: number): number {
    this.check(i);
    return this.idHashes[i];
  }
  group(i: number): string | undefined {
    if (this.container !== 'grouped' || !this.groupIds) return undefined;
    this.check(i);
    return this.groupNames[this.groupIds[i]];
  }
  private check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw new RangeError(`record ${i} is out of range (0–${this.count - 1})`);
  }
}

/** Why a cache file was not used (for tests and --verbose output). */
export type CacheMiss = 'absent' | 'not-a-file' | 'truncated' | 'corrupt' | 'foreign' | 'stale';

/**
 * Reads a cache file for the dataset with fingerprint `fp`; the index, or why not. Never throws for
 * a bad cache file (any fault is a miss).
 */
export function readIndexCache(
  file: string,
  datasetAbs: string,
  fp: Fingerprint,
  key: IndexKey,
): { index: RecordIndex; extras: ExtraColumns } | { miss: CacheMiss } {
  let buf: Buffer;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return { miss: 'not-a-file' };
    // Read into fresh memory: 8-byte aligned, so the columns are Float64Array views without a copy.
    const fd = fs.openSync(file, 'r');
    try {
      buf = Buffer.from(new ArrayBuffer(st.size));
      let got = 0;
      while (got < buf.length) {
        const n = fs.readSync(fd, buf, got, buf.length - got, got);
        if (n === 0) break;
        got += n;
      }
      buf = buf.subarray(0, got);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return { miss: 'absent' };
  }
  if (buf.length < MAGIC.length + 4 + SUM || !buf.subarray(0, MAGIC.length).equals(MAGIC)) return { miss: 'foreign' };
  const headerLen = buf.readUInt32LE(MAGIC.length);
  const colStart = MAGIC.length + 4 + headerLen;
  if (colStart % 8 !== 0 || colStart + SUM > buf.length) return { miss: 'truncated' };
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', MAGIC.length + 4, colStart)) as Header;
  } catch {
    return { miss: 'corrupt' };
  }
  const containerDiffers = key.container === undefined ? header.key.container !== null : header.container !== key.container;
  if (header.v !== VERSION || header.path !== datasetAbs || header.key?.idField !== key.idField || containerDiffers) {
    return { miss: 'foreign' };
  }
  if (!sameFingerprint(header.fp, fp)) return { miss: 'stale' };
  const n = header.count;
  const core = header.container === 'grouped' ? 5 : 4;
  const extraNames = Array.isArray(header.extras) ? header.extras : [];
  const columns = core + extraNames.length;
  const expected = colStart + columns * n * 8 + SUM;
  if (!Number.isInteger(n) || n < 0 || buf.length !== expected) return { miss: 'truncated' };
  if (crc32(buf.subarray(0, expected - SUM)) !== buf.readUInt32LE(expected - SUM)) return { miss: 'corrupt' };
  const body = buf.subarray(colStart, expected - SUM);
  const col = (k: number): Float64Array => new Float64Array(body.buffer, body.byteOffset + k * n * 8, n);
  const index = new LoadedIndex(
    header.container,
    header.bytes,
    col(0),
    col(1),
    col(2),
    col(3),
    core === 5 ? col(4) : undefined,
    header.groupNames,
    header.errors,
    header.errorsOmitted,
  );
  const extras: ExtraColumns = new Map(extraNames.map((name, k) => [name, col(core + k)]));
  return { index, extras };
}

/** Writes a cache file atomically (atomicWrite.ts). Throws when the folder cannot be written. */
export function writeIndexCache(file: string, datasetAbs: string, fp: Fingerprint, key: IndexKey, index: RecordIndex, extras: ExtraColumns = new Map()): void {
  const n = index.count;
  const grouped = index.container === 'grouped';
  const groupNames: string[] = [];
  const groupIds = grouped ? new Float64Array(n) : undefined;
  if (groupIds) {
    const ids = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const g = index.group(i) ?? '';
      let k = ids.get(g);
      if (k === undefined) {
        k = groupNames.length;
        groupNames.push(g);
        ids.set(g, k);
      }
      groupIds[i] = k;
    }
  }
  const header: Header = {
    v: VERSION,
    path: datasetAbs,
    fp,
    key: { container: key.container ?? null, idField: key.idField },
    container: index.container,
    count: n,
    bytes: index.bytes,
    errors: index.errors,
    errorsOmitted: index.errorsOmitted,
    groupNames,
    extras: [...extras.keys()],
  };
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - ((MAGIC.length + 4 + json.length) % 8)) % 8;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const core = grouped ? 5 : 4;
  const columns = core + extras.size;
  const out = Buffer.from(new ArrayBuffer(MAGIC.length + 4 + json.length + columns * n * 8 + SUM));
  MAGIC.copy(out, 0);
  out.writeUInt32LE(json.length, MAGIC.length);
  json.copy(out, MAGIC.length + 4);
  const colStart = MAGIC.length + 4 + json.length;
  const view = new Float64Array(out.buffer, out.byteOffset + colStart, columns * n);
  for (let i = 0; i < n; i++) {
    view[i] = index.start(i);
    view[n + i] = index.end(i);
    view[2 * n + i] = index.line(i);
    view[3 * n + i] = index.idHash(i);
  }
  if (groupIds) view.set(groupIds, 4 * n);
  let k = core;
  for (const col of extras.values()) {
    if (col.length !== n) throw new Error('an extra column has the wrong length');
    view.set(col, k++ * n);
  }
  out.writeUInt32LE(crc32(out.subarray(0, out.length - SUM)), out.length - SUM);
  writeFileAtomic(file, out); // no fsync: a lost cache file is rebuilt
}

export interface CachedIndexResult {
  index: RecordIndex;
  /** Extra columns read with the index (empty after a rebuild). */
  extras: ExtraColumns;
  /** The dataset's fingerprint when it was opened. */
  fp?: Fingerprint;
  /** The cache file the index came from or went to; undefined when none could be used. */
  file?: string;
  /** True when the index was read from a cache file. */
  hit: boolean;
  /** Why each candidate missed (in order), for diagnostics. */
  misses: CacheMiss[];
}

/**
 * The index of an open dataset: from a valid cache file, else built by `build` and saved to the
 * first cache folder that can be written (a failure to save is silent: the index is still right).
 */
export function cachedIndex(fd: number, st: fs.Stats, datasetAbs: string, key: IndexKey, build: () => RecordIndex, opts: CacheOptions = {}): CachedIndexResult {
  if (!worthCaching(st.size, opts)) return { index: build(), extras: new Map(), hit: false, misses: [] };
  const fp = fingerprintFd(fd, st);
  const files = cacheFiles(datasetAbs, opts);
  const misses: CacheMiss[] = [];
  for (const f of files) {
    const r = readIndexCache(f, datasetAbs, fp, key);
    if ('index' in r) return { index: r.index, extras: r.extras, fp, file: f, hit: true, misses };
    misses.push(r.miss);
  }
  const index = build();
  // The file may have changed while it was scanned: only a fingerprint taken after the scan that
  // equals the one before it is stored.
  const after = fingerprintFd(fd);
  if (!sameFingerprint(fp, after)) return { index, extras: new Map(), hit: false, misses };
  for (const f of files) {
    try {
      writeIndexCache(f, datasetAbs, fp, key, index);
      return { index, extras: new Map(), fp, file: f, hit: false, misses };
    } catch {
      /* not writable here: try the next place */
    }
  }
  return { index, extras: new Map(), hit: false, misses };
}
