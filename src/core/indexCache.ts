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
 * File layout (little-endian), readable per column: magic "CCIDX" 0 3 0 | u32 header length H |
 * u32 CRC-32 of the header | header JSON, padded with spaces to a multiple of 8 | columns as
 * float64 × count, each 8-byte aligned. The header names every column with its offset, length and
 * CRC-32: starts, ends, lines, idHashes, [groupIds when grouped], then the extra columns (per-record
 * values derived from the records, e.g. group sizes for a format, the id table). Opening reads and
 * checks only the header; a column is read and its CRC checked the first time it is asked for, so
 * `cocurate info` reads a few columns, not the whole file. A column whose CRC fails drops the cache
 * file: the dataset is scanned again (core columns) or the value computed again (extra columns).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { writeFileAtomic } from './atomicWrite';
import type { Container, IndexError, RecordIndex } from './recordIndex';

const MAGIC = Buffer.from([0x43, 0x43, 0x49, 0x44, 0x58, 0x00, 0x03, 0x00]); // "CCIDX" v3
const VERSION = 3;
const PRE = MAGIC.length + 8; // magic, header length, header CRC
const CORE = ['starts', 'ends', 'lines', 'idHashes', 'groupIds'] as const;

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

/** Where a column lies in the cache file: byte offset, byte length and CRC-32. */
interface ColumnEntry {
  name: string;
  off: number;
  len: number;
  crc: number;
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
  /** Core columns, then the extra ones ("x:" + name), in file order. */
  cols: ColumnEntry[];
}

/** A column of a cache file that is not what its header says (checksum, or the file changed). */
export class CacheColumnError extends Error {}

/** Bytes read from cache files by this process (for tests and diagnostics). */
export const cacheReadStats = { bytes: 0 };

function readAt(fd: number, buf: Uint8Array, pos: number): number {
  let got = 0;
  while (got < buf.length) {
    const n = fs.readSync(fd, buf, got, buf.length - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  cacheReadStats.bytes += got;
  return got;
}

/** Reads one column of a cache file and checks its CRC; throws CacheColumnError when it does not match. */
function readColumn(file: string, e: ColumnEntry, count: number): Float64Array {
  // Fresh memory: 8-byte aligned, so the column is a Float64Array view without a copy.
  const buf = new Uint8Array(new ArrayBuffer(e.len));
  let got: number;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      got = readAt(fd, buf, e.off);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    throw new CacheColumnError(`${file}: column ${e.name} cannot be read (${(err as Error).message})`);
  }
  if (got !== e.len || crc32(buf) !== e.crc) throw new CacheColumnError(`${file}: column ${e.name} is corrupt (checksum)`);
  return new Float64Array(buf.buffer, 0, count);
}

/**
 * Extra per-record columns stored with the index (name → one value per record). Columns from a
 * cache file are read (and checked) on first `get`; a damaged one reads as absent.
 */
export class ExtraColumns {
  private readonly loaded = new Map<string, Float64Array>();
  private readonly lazy = new Map<string, () => Float64Array | undefined>();
  constructor(entries: Iterable<[string, Float64Array]> = []) {
    for (const [k, v] of entries) this.loaded.set(k, v);
  }
  /** A column kept in a file, read when first asked for. */
  setLazy(name: string, load: () => Float64Array | undefined): void {
    this.lazy.set(name, load);
  }
  get(name: string): Float64Array | undefined {
    const hit = this.loaded.get(name);
    if (hit) return hit;
    const load = this.lazy.get(name);
    if (!load) return undefined;
    this.lazy.delete(name);
    const col = load();
    if (col) this.loaded.set(name, col);
    return col;
  }
  set(name: string, col: Float64Array): this {
    this.lazy.delete(name);
    this.loaded.set(name, col);
    return this;
  }
  has(name: string): boolean {
    return this.loaded.has(name) || this.lazy.has(name);
  }
  names(): string[] {
    return [...new Set([...this.loaded.keys(), ...this.lazy.keys()])];
  }
  get size(): number {
    return this.names().length;
  }
}

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

/** A column held in memory, or read the first time it is asked for (from a cache file). */
export type Column = Float64Array | (() => Float64Array);

/** A record index held in typed arrays (loaded from a cache file, or moved from the index worker). */
export class LoadedIndex implements RecordIndex {
  private s?: Float64Array;
  private e?: Float64Array;
  private l?: Float64Array;
  private h?: Float64Array;
  private g?: Float64Array;
  readonly count: number;
  constructor(
    readonly container: Container,
    readonly bytes: number,
    private readonly starts: Column,
    private readonly ends: Column,
    private readonly lines: Column,
    private readonly idHashes: Column,
    private readonly groupIds: Column | undefined,
    private readonly groupNames: string[],
    readonly errors: IndexError[],
    readonly errorsOmitted: number,
    /** Record count; needed when `starts` is read lazily. */
    count?: number,
  ) {
    if (count === undefined) {
      if (typeof starts === 'function') throw new Error('LoadedIndex: a lazy index needs its count');
      count = starts.length;
    }
    this.count = count;
  }
  private load(c: Column): Float64Array {
    const col = typeof c === 'function' ? c() : c;
    if (col.length !== this.count) throw new CacheColumnError(`an index column has ${col.length} values for ${this.count} records`);
    return col;
  }
  start(i: number): number {
    this.check(i);
    return (this.s ??= this.load(this.starts))[i];
  }
  end(i: number): number {
    this.check(i);
    return (this.e ??= this.load(this.ends))[i];
  }
  line(i: number): number {
    this.check(i);
    return (this.l ??= this.load(this.lines))[i];
  }
  idHash(i: number): number {
    this.check(i);
    return (this.h ??= this.load(this.idHashes))[i];
  }
  group(i: number): string | undefined {
    if (this.container !== 'grouped' || !this.groupIds) return undefined;
    this.check(i);
    return this.groupNames[(this.g ??= this.load(this.groupIds))[i]];
  }
  private check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw new RangeError(`record ${i} is out of range (0–${this.count - 1})`);
  }
}

/** Why a cache file was not used (for tests and --verbose output). */
export type CacheMiss = 'absent' | 'not-a-file' | 'truncated' | 'corrupt' | 'foreign' | 'stale';

export interface ReadCacheOptions {
  /**
   * Scans the dataset again: called (once) when a core column turns out damaged when it is first
   * read; the cache file is then deleted and the columns come from the scan. Without it, reading a
   * damaged column throws CacheColumnError.
   */
  rebuild?: () => RecordIndex;
}

/** One core column of an index, as float64 values (group ids numbered after `groupNames`). */
function columnOf(ix: RecordIndex, name: string, groupNames: string[]): Float64Array {
  const n = ix.count;
  const out = new Float64Array(n);
  if (name === 'groupIds') {
    const ids = new Map(groupNames.map((g, k) => [g, k]));
    for (let i = 0; i < n; i++) {
      const k = ids.get(ix.group(i) ?? '');
      if (k === undefined) throw new Error('the dataset changed while it was open; open it again');
      out[i] = k;
    }
    return out;
  }
  const get: (i: number) => number =
    name === 'starts' ? (i) => ix.start(i) : name === 'ends' ? (i) => ix.end(i) : name === 'lines' ? (i) => ix.line(i) : (i) => ix.idHash(i);
  for (let i = 0; i < n; i++) out[i] = get(i);
  return out;
}

/**
 * Reads the header of a cache file for the dataset with fingerprint `fp`; the index (its columns
 * read when first used), or why not. Never throws for a bad cache file (any fault is a miss).
 */
export function readIndexCache(
  file: string,
  datasetAbs: string,
  fp: Fingerprint,
  key: IndexKey,
  opts: ReadCacheOptions = {},
): { index: RecordIndex; extras: ExtraColumns } | { miss: CacheMiss } {
  let head: Buffer;
  let size: number;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return { miss: 'not-a-file' };
    size = st.size;
    const fd = fs.openSync(file, 'r');
    try {
      const pre = Buffer.alloc(PRE);
      if (readAt(fd, pre, 0) < PRE || !pre.subarray(0, MAGIC.length).equals(MAGIC)) return { miss: 'foreign' };
      const headerLen = pre.readUInt32LE(MAGIC.length);
      if ((PRE + headerLen) % 8 !== 0 || PRE + headerLen > size) return { miss: 'truncated' };
      head = Buffer.alloc(headerLen);
      if (readAt(fd, head, PRE) < headerLen) return { miss: 'truncated' };
      if (crc32(head) !== pre.readUInt32LE(MAGIC.length + 4)) return { miss: 'corrupt' };
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return { miss: 'absent' };
  }
  let header: Header;
  try {
    header = JSON.parse(head.toString('utf8')) as Header;
  } catch {
    return { miss: 'corrupt' };
  }
  const containerDiffers = key.container === undefined ? header.key?.container !== null : header.container !== key.container;
  if (header.v !== VERSION || header.path !== datasetAbs || header.key?.idField !== key.idField || containerDiffers) {
    return { miss: 'foreign' };
  }
  if (!sameFingerprint(header.fp, fp)) return { miss: 'stale' };
  const n = header.count;
  const cols = Array.isArray(header.cols) ? header.cols : [];
  const grouped = header.container === 'grouped';
  const coreNames = CORE.slice(0, grouped ? 5 : 4) as readonly string[];
  if (!Number.isInteger(n) || n < 0 || cols.length < coreNames.length || coreNames.some((c, k) => cols[k].name !== c)) return { miss: 'corrupt' };
  let end = PRE + head.length;
  for (const c of cols) {
    if (c.off !== end || c.len !== n * 8 || typeof c.crc !== 'number') return { miss: 'corrupt' };
    end += c.len;
  }
  if (size !== end) return { miss: 'truncated' };

  let rebuilt: RecordIndex | undefined;
  const core =
    (k: number): (() => Float64Array) =>
    () => {
      try {
        return readColumn(file, cols[k], n);
      } catch (e) {
        if (!(e instanceof CacheColumnError) || !opts.rebuild) throw e;
        if (!rebuilt) {
          try {
            fs.unlinkSync(file); // dropped: a damaged cache file is never read again
          } catch {
            /* already gone or not ours to delete: its header no longer matches what is read */
          }
          rebuilt = opts.rebuild();
        }
        if (rebuilt.count !== n) throw new Error(`${datasetAbs} changed while it was open; open it again`);
        return columnOf(rebuilt, cols[k].name, header.groupNames);
      }
    };
  const index = new LoadedIndex(
    header.container,
    header.bytes,
    core(0),
    core(1),
    core(2),
    core(3),
    grouped ? core(4) : undefined,
    header.groupNames,
    header.errors,
    header.errorsOmitted,
    n,
  );
  const extras = new ExtraColumns();
  for (const c of cols.slice(coreNames.length)) {
    if (!c.name.startsWith('x:')) return { miss: 'corrupt' };
    extras.setLazy(c.name.slice(2), () => {
      try {
        return readColumn(file, c, n);
      } catch {
        return undefined; // computed again (and stored again) by the caller
      }
    });
  }
  return { index, extras };
}

/** Writes a cache file atomically (atomicWrite.ts). Throws when the folder cannot be written. */
export function writeIndexCache(
  file: string,
  datasetAbs: string,
  fp: Fingerprint,
  key: IndexKey,
  index: RecordIndex,
  extras: ExtraColumns = new ExtraColumns(),
): void {
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
  const data: [string, Float64Array][] = [];
  for (const name of CORE.slice(0, 4)) data.push([name, columnOf(index, name, groupNames)]);
  if (groupIds) data.push(['groupIds', groupIds]);
  for (const name of extras.names()) {
    const col = extras.get(name);
    if (!col) continue; // damaged in the old file: left out
    if (col.length !== n) throw new Error('an extra column has the wrong length');
    data.push([`x:${name}`, col]);
  }
  const cols: ColumnEntry[] = data.map(([name, col]) => ({ name, off: 0, len: n * 8, crc: crc32(new Uint8Array(col.buffer, col.byteOffset, n * 8)) }));
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
    cols,
  };
  // The offsets are part of the header: its length settles after at most a few rounds.
  let json = Buffer.alloc(0);
  for (let round = 0; round < 8; round++) {
    let off = PRE + json.length;
    for (const c of cols) {
      c.off = off;
      off += c.len;
    }
    const next = Buffer.from(JSON.stringify(header), 'utf8');
    const padded = Buffer.concat([next, Buffer.alloc((8 - ((PRE + next.length) % 8)) % 8, 0x20)]);
    const settled = padded.length === json.length;
    json = padded;
    if (settled) break;
  }
  if (cols.length && cols[0].off !== PRE + json.length) throw new Error('cache header did not settle');
  const out = Buffer.from(new ArrayBuffer(PRE + json.length + cols.length * n * 8));
  MAGIC.copy(out, 0);
  out.writeUInt32LE(json.length, MAGIC.length);
  out.writeUInt32LE(crc32(json), MAGIC.length + 4);
  json.copy(out, PRE);
  data.forEach(([, col], k) => new Float64Array(out.buffer, out.byteOffset + cols[k].off, n).set(col));
  writeFileAtomic(file, out); // no fsync: a lost cache file is rebuilt
}

export interface CachedIndexResult {
  index: RecordIndex;
  /** Extra columns kept with the index (read when first asked for; empty after a rebuild). */
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
 * A cached column found damaged when first read drops the cache file and is taken from a new scan.
 */
export function cachedIndex(fd: number, st: fs.Stats, datasetAbs: string, key: IndexKey, build: () => RecordIndex, opts: CacheOptions = {}): CachedIndexResult {
  if (!worthCaching(st.size, opts)) return { index: build(), extras: new ExtraColumns(), hit: false, misses: [] };
  const fp = fingerprintFd(fd, st);
  const files = cacheFiles(datasetAbs, opts);
  const misses: CacheMiss[] = [];
  for (const f of files) {
    const rebuild = (): RecordIndex => {
      const index = build();
      if (sameFingerprint(fp, fingerprintFd(fd))) {
        try {
          writeIndexCache(f, datasetAbs, fp, key, index);
        } catch {
          /* the index is still right */
        }
      }
      return index;
    };
    const r = readIndexCache(f, datasetAbs, fp, key, { rebuild });
    if ('index' in r) return { index: r.index, extras: r.extras, fp, file: f, hit: true, misses };
    misses.push(r.miss);
  }
  const index = build();
  // The file may have changed while it was scanned: only a fingerprint taken after the scan that
  // equals the one before it is stored.
  const after = fingerprintFd(fd);
  if (!sameFingerprint(fp, after)) return { index, extras: new ExtraColumns(), hit: false, misses };
  for (const f of files) {
    try {
      writeIndexCache(f, datasetAbs, fp, key, index);
      return { index, extras: new ExtraColumns(), fp, file: f, hit: false, misses };
    } catch {
      /* not writable here: try the next place */
    }
  }
  return { index, extras: new ExtraColumns(), hit: false, misses };
}
