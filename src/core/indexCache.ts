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
 * File layout (little-endian), readable per block (ARCHITECTURE.md, "Persistent index"): magic
 * "CCIDX" 0 4 0 | u32 header length H | u32 CRC-32 of the header | header JSON, padded with spaces
 * to a multiple of 8 | columns as float64 × count, each 8-byte aligned. The header names every
 * column with its offset, length and the CRC-32 of each block of `block` records (64 KiB): starts,
 * ends, lines, idHashes, [groupIds when grouped], then the extra columns (per-record values derived
 * from the records, e.g. group sizes for a format, the id table); and small derived values
 * (`vals`, e.g. the group-size histogram `cocurate info` prints). Opening reads and checks only the
 * header; a block is read and its CRC checked the first time one of its records is asked for, so a
 * cached `info` or `show` reads a few blocks, not the file. A block whose CRC fails drops the cache
 * file: the dataset is scanned again (core columns) or the column computed again (extra columns).
 * The file stays open while its index is used, so a cache file replaced meanwhile (another process
 * storing a new column) is never read at the old file's offsets.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { writeFileAtomic } from './atomicWrite';
import type { Container, IndexError, RecordIndex } from './recordIndex';

const MAGIC = Buffer.from([0x43, 0x43, 0x49, 0x44, 0x58, 0x00, 0x04, 0x00]); // "CCIDX" v4
const VERSION = 4;
const PRE = MAGIC.length + 8; // magic, header length, header CRC
const CORE = ['starts', 'ends', 'lines', 'idHashes', 'groupIds'] as const;
/** Records per checked block: 8192 float64 values, 64 KiB. */
export const DEFAULT_BLOCK_RECORDS = 8192;

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
  /** Records per checked block of a column written (default 8192: 64 KiB); tests use small blocks. */
  blockRecords?: number;
}

/** What the index was built with: a cache built with other options is foreign. */
export interface IndexKey {
  container?: Container;
  idField: string;
}

/** Where a column lies in the cache file: byte offset, byte length and the CRC-32 of each block. */
interface ColumnEntry {
  name: string;
  off: number;
  len: number;
  crcs: number[];
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
  /** Records per block (the last block of a column may be shorter). */
  block: number;
  /** Core columns, then the extra ones ("x:" + name), in file order. */
  cols: ColumnEntry[];
  /** Small values derived from the records (name → JSON value). */
  vals: Record<string, unknown>;
}

/** A block of a cache file that is not what its header says (checksum, or the file changed). */
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

// A cache file whose index is dropped without close() is closed when the index is collected.
const openCacheFiles = new FinalizationRegistry<number>((fd) => {
  try {
    fs.closeSync(fd);
  } catch {
    /* already closed */
  }
});

/**
 * A cache file held open while its index is in use: its blocks are read from the file whose header
 * was checked, even when another process replaces it. After close() it is opened again by name (a
 * replaced file then fails its checksums).
 */
class CacheFileHandle {
  private fd: number | undefined;
  constructor(
    readonly file: string,
    fd: number,
  ) {
    this.fd = fd;
    openCacheFiles.register(this, fd, this);
  }
  read(buf: Uint8Array, pos: number): number {
    if (this.fd === undefined) {
      this.fd = fs.openSync(this.file, 'r');
      openCacheFiles.register(this, this.fd, this);
    }
    return readAt(this.fd, buf, pos);
  }
  close(): void {
    if (this.fd === undefined) return;
    openCacheFiles.unregister(this);
    try {
      fs.closeSync(this.fd);
    } catch {
      /* already closed */
    }
    this.fd = undefined;
  }
}

/**
 * One column of a cache file, read block by block: a record's value reads (and checks) its block the
 * first time it is asked for. A block that fails its CRC goes to `damaged`, which returns the whole
 * column from elsewhere (a new scan) or throws CacheColumnError.
 */
export class PagedColumn {
  private vals: Float64Array | undefined;
  private ok: Uint8Array | undefined;
  private left: number;
  private readonly blocks: number;
  constructor(
    private readonly src: CacheFileHandle,
    private readonly entry: ColumnEntry,
    readonly length: number,
    private readonly block: number,
    private readonly damaged: (err: CacheColumnError) => Float64Array,
  ) {
    this.blocks = entry.crcs.length;
    this.left = this.blocks;
  }
  /** Value i (its block read and checked on first use). */
  at(i: number): number {
    const b = (i / this.block) | 0;
    if (this.ok === undefined || this.ok[b] === 0) this.load(b, b + 1);
    return (this.vals as Float64Array)[i];
  }
  /** The whole column (the blocks not read yet are read in runs, one read a run). */
  all(): Float64Array {
    for (let b = 0; this.left > 0 && b < this.blocks; ) {
      if (this.ok && this.ok[b]) {
        b++;
        continue;
      }
      let e = b + 1;
      while (e < this.blocks && !(this.ok && this.ok[e])) e++;
      this.load(b, e);
      b = e;
    }
    return this.vals ?? new Float64Array(0);
  }
  /** Reads blocks [from, to), none of them loaded yet, straight into the column; marks the good ones. */
  private load(from: number, to: number): void {
    const vals = (this.vals ??= new Float64Array(this.length));
    const ok = (this.ok ??= new Uint8Array(this.blocks));
    const a = from * this.block * 8;
    const z = Math.min(this.length, to * this.block) * 8;
    const bytes = new Uint8Array(vals.buffer, a, z - a);
    let got: number;
    try {
      got = this.src.read(bytes, this.entry.off + a);
    } catch (err) {
      return this.fail(new CacheColumnError(`${this.src.file}: column ${this.entry.name} cannot be read (${(err as Error).message})`));
    }
    let bad = got !== z - a;
    for (let b = from; b < to && !bad; b++) {
      const s = b * this.block * 8 - a;
      const e = Math.min(this.length, (b + 1) * this.block) * 8 - a;
      if (crc32(bytes.subarray(s, e)) !== this.entry.crcs[b]) bad = true;
      else {
        ok[b] = 1;
        this.left--;
      }
    }
    if (bad) this.fail(new CacheColumnError(`${this.src.file}: column ${this.entry.name} is corrupt (checksum)`));
  }
  private fail(err: CacheColumnError): void {
    const col = this.damaged(err);
    if (col.length !== this.length) throw new CacheColumnError(`column ${this.entry.name} has ${col.length} values for ${this.length} records`);
    this.vals = col;
    this.ok = new Uint8Array(this.blocks).fill(1);
    this.left = 0;
  }
}

/**
 * Extra per-record columns stored with the index (name → one value per record), and small derived
 * values (name → JSON value). Columns from a cache file are read (and checked) when first asked
 * for, by block for `cell`, whole for `get`; a damaged one reads as absent.
 */
export class ExtraColumns {
  private readonly loaded = new Map<string, Float64Array>();
  private readonly paged = new Map<string, PagedColumn>();
  private readonly vals = new Map<string, unknown>();
  constructor(entries: Iterable<[string, Float64Array]> = []) {
    for (const [k, v] of entries) this.loaded.set(k, v);
  }
  /** A column kept in a cache file, read when first asked for. */
  setPaged(name: string, col: PagedColumn): void {
    this.paged.set(name, col);
  }
  get(name: string): Float64Array | undefined {
    const hit = this.loaded.get(name);
    if (hit) return hit;
    const p = this.paged.get(name);
    if (!p) return undefined;
    try {
      const col = p.all();
      this.loaded.set(name, col);
      this.paged.delete(name);
      return col;
    } catch {
      this.paged.delete(name); // damaged: computed again (and stored again) by the caller
      return undefined;
    }
  }
  /** Value i of a column, reading only its block; undefined when the column is absent or damaged. */
  cell(name: string, i: number): number | undefined {
    const hit = this.loaded.get(name);
    if (hit) return hit[i];
    const p = this.paged.get(name);
    if (!p) return undefined;
    try {
      return p.at(i);
    } catch {
      this.paged.delete(name);
      return undefined;
    }
  }
  set(name: string, col: Float64Array): this {
    this.paged.delete(name);
    this.loaded.set(name, col);
    return this;
  }
  has(name: string): boolean {
    return this.loaded.has(name) || this.paged.has(name);
  }
  names(): string[] {
    return [...new Set([...this.loaded.keys(), ...this.paged.keys()])];
  }
  get size(): number {
    return this.names().length;
  }
  /** A small derived value (kept in the cache file's header), or undefined. */
  value(name: string): unknown {
    return this.vals.get(name);
  }
  setValue(name: string, v: unknown): this {
    this.vals.set(name, v);
    return this;
  }
  /** Every derived value, name → value. */
  values(): Record<string, unknown> {
    return Object.fromEntries(this.vals);
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

/** A column held in memory, or read block by block from a cache file. */
export type Column = Float64Array | PagedColumn;

/** A record index held in typed arrays (loaded from a cache file, or moved from the index worker). */
export class LoadedIndex implements RecordIndex {
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
    /** Record count; needed when `starts` is read from a file. */
    count?: number,
    /** The cache file the columns are read from (closed by close()). */
    private readonly file?: { close(): void },
  ) {
    if (count === undefined) {
      if (!(starts instanceof Float64Array)) throw new Error('LoadedIndex: an index read from a file needs its count');
      count = starts.length;
    }
    this.count = count;
    for (const c of [starts, ends, lines, idHashes, groupIds])
      if (c && c.length !== count) throw new CacheColumnError(`an index column has ${c.length} values for ${count} records`);
  }
  start(i: number): number {
    this.check(i);
    const c = this.starts;
    return c instanceof Float64Array ? c[i] : c.at(i);
  }
  end(i: number): number {
    this.check(i);
    const c = this.ends;
    return c instanceof Float64Array ? c[i] : c.at(i);
  }
  line(i: number): number {
    this.check(i);
    const c = this.lines;
    return c instanceof Float64Array ? c[i] : c.at(i);
  }
  idHash(i: number): number {
    this.check(i);
    const c = this.idHashes;
    return c instanceof Float64Array ? c[i] : c.at(i);
  }
  group(i: number): string | undefined {
    const c = this.groupIds;
    if (this.container !== 'grouped' || !c) return undefined;
    this.check(i);
    return this.groupNames[c instanceof Float64Array ? c[i] : c.at(i)];
  }
  /** Closes the cache file the columns are read from (a block read later opens it again). */
  close(): void {
    this.file?.close();
  }
  private check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw new RangeError(`record ${i} is out of range (0–${this.count - 1})`);
  }
}

/** Why a cache file was not used (for tests and --verbose output). */
export type CacheMiss = 'absent' | 'not-a-file' | 'truncated' | 'corrupt' | 'foreign' | 'stale';

export interface ReadCacheOptions {
  /**
   * Scans the dataset again: called (once) when a block of a core column turns out damaged when it
   * is first read; the cache file is then deleted and the columns come from the scan. Without it,
   * reading a damaged block throws CacheColumnError.
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

const isCrcList = (x: unknown, blocks: number): x is number[] =>
  Array.isArray(x) && x.length === blocks && x.every((c) => Number.isInteger(c) && c >= 0 && c <= 0xffffffff);

/**
 * Reads the header of a cache file for the dataset with fingerprint `fp`; the index (its blocks
 * read when first used), or why not. Never throws for a bad cache file (any fault is a miss). The
 * file stays open until the index is closed (LoadedIndex.close) or collected.
 */
export function readIndexCache(
  file: string,
  datasetAbs: string,
  fp: Fingerprint,
  key: IndexKey,
  opts: ReadCacheOptions = {},
): { index: LoadedIndex; extras: ExtraColumns } | { miss: CacheMiss } {
  let fd: number;
  try {
    if (!fs.statSync(file).isFile()) return { miss: 'not-a-file' }; // never opened: a FIFO would block
    fd = fs.openSync(file, 'r');
  } catch {
    return { miss: 'absent' };
  }
  let handle: CacheFileHandle | undefined;
  try {
    const r = readHeader(fd, datasetAbs, fp, key);
    if ('miss' in r) return r;
    handle = new CacheFileHandle(file, fd);
    return open(handle, r.header, datasetAbs, opts);
  } catch {
    handle?.close();
    handle = undefined;
    return { miss: 'corrupt' };
  } finally {
    if (!handle) {
      try {
        fs.closeSync(fd);
      } catch {
        /* closed with its handle */
      }
    }
  }
}

function readHeader(fd: number, datasetAbs: string, fp: Fingerprint, key: IndexKey): { header: Header; size: number } | { miss: CacheMiss } {
  const st = fs.fstatSync(fd);
  if (!st.isFile()) return { miss: 'not-a-file' };
  const size = st.size;
  const pre = Buffer.alloc(PRE);
  if (readAt(fd, pre, 0) < PRE || !pre.subarray(0, MAGIC.length).equals(MAGIC)) return { miss: 'foreign' };
  const headerLen = pre.readUInt32LE(MAGIC.length);
  if ((PRE + headerLen) % 8 !== 0 || PRE + headerLen > size) return { miss: 'truncated' };
  const head = Buffer.alloc(headerLen);
  if (readAt(fd, head, PRE) < headerLen) return { miss: 'truncated' };
  if (crc32(head) !== pre.readUInt32LE(MAGIC.length + 4)) return { miss: 'corrupt' };
  let header: Header;
  try {
    header = JSON.parse(head.toString('utf8')) as Header;
  } catch {
    return { miss: 'corrupt' };
  }
  if (!header || typeof header !== 'object') return { miss: 'corrupt' };
  const containerDiffers = key.container === undefined ? header.key?.container !== null : header.container !== key.container;
  if (header.v !== VERSION || header.path !== datasetAbs || header.key?.idField !== key.idField || containerDiffers) {
    return { miss: 'foreign' };
  }
  if (!header.fp || !sameFingerprint(header.fp, fp)) return { miss: 'stale' };
  const n = header.count;
  const block = header.block;
  const cols = Array.isArray(header.cols) ? header.cols : [];
  const coreNames = CORE.slice(0, header.container === 'grouped' ? 5 : 4) as readonly string[];
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(block) || block < 1 || cols.length < coreNames.length) return { miss: 'corrupt' };
  if (coreNames.some((c, k) => cols[k]?.name !== c) || cols.slice(coreNames.length).some((c) => typeof c?.name !== 'string' || !c.name.startsWith('x:'))) {
    return { miss: 'corrupt' };
  }
  if (!Array.isArray(header.errors) || !Array.isArray(header.groupNames) || !header.vals || typeof header.vals !== 'object') return { miss: 'corrupt' };
  const blocks = Math.ceil(n / block);
  let end = PRE + headerLen;
  for (const c of cols) {
    if (c.off !== end || c.len !== n * 8 || !isCrcList(c.crcs, blocks)) return { miss: 'corrupt' };
    end += c.len;
  }
  if (size !== end) return { miss: 'truncated' };
  return { header, size };
}

function open(handle: CacheFileHandle, header: Header, datasetAbs: string, opts: ReadCacheOptions): { index: LoadedIndex; extras: ExtraColumns } {
  const n = header.count;
  const cols = header.cols;
  const grouped = header.container === 'grouped';
  const coreCount = grouped ? 5 : 4;
  let rebuilt: RecordIndex | undefined;
  const core = (k: number): PagedColumn =>
    new PagedColumn(handle, cols[k], n, header.block, (err) => {
      if (!opts.rebuild) throw err;
      if (!rebuilt) {
        try {
          fs.unlinkSync(handle.file); // dropped: a damaged cache file is never read again
        } catch {
          /* already gone or not ours to delete: its header no longer matches what is read */
        }
        rebuilt = opts.rebuild();
      }
      if (rebuilt.count !== n) throw new Error(`${datasetAbs} changed while it was open; open it again`);
      return columnOf(rebuilt, cols[k].name, header.groupNames);
    });
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
    handle,
  );
  const extras = new ExtraColumns();
  for (const c of cols.slice(coreCount)) {
    extras.setPaged(
      c.name.slice(2),
      new PagedColumn(handle, c, n, header.block, (err) => {
        throw err; // computed again (and stored again) by the caller
      }),
    );
  }
  for (const [k, v] of Object.entries(header.vals)) extras.setValue(k, v);
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
  opts: Pick<CacheOptions, 'blockRecords'> = {},
): void {
  const n = index.count;
  const block = Math.max(1, Math.floor(opts.blockRecords ?? DEFAULT_BLOCK_RECORDS));
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
  const blockCrcs = (col: Float64Array): number[] => {
    const bytes = new Uint8Array(col.buffer, col.byteOffset, n * 8);
    const out: number[] = [];
    for (let s = 0; s < n; s += block) out.push(crc32(bytes.subarray(s * 8, Math.min(n, s + block) * 8)));
    return out;
  };
  const cols: ColumnEntry[] = data.map(([name, col]) => ({ name, off: 0, len: n * 8, crcs: blockCrcs(col) }));
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
    block,
    cols,
    vals: extras.values(),
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
  /** Extra columns and values kept with the index (read when first asked for; empty after a rebuild). */
  extras: ExtraColumns;
  /** The dataset's fingerprint when it was opened. */
  fp?: Fingerprint;
  /** The cache file the index came from or went to; undefined when none could be used. */
  file?: string;
  /** True when the index was read from a cache file. */
  hit: boolean;
  /** Why each candidate missed (in order), for diagnostics. */
  misses: CacheMiss[];
  /** Writes the index with these extras to `file` again (throws when it cannot be written). */
  save?: (index: RecordIndex, extras: ExtraColumns) => void;
}

/**
 * The index of an open dataset: from a valid cache file, else built by `build` and saved to the
 * first cache folder that can be written (a failure to save is silent: the index is still right).
 * A cached block found damaged when first read drops the cache file and is taken from a new scan.
 */
export function cachedIndex(fd: number, st: fs.Stats, datasetAbs: string, key: IndexKey, build: () => RecordIndex, opts: CacheOptions = {}): CachedIndexResult {
  if (!worthCaching(st.size, opts)) return { index: build(), extras: new ExtraColumns(), hit: false, misses: [] };
  const fp = fingerprintFd(fd, st);
  const files = cacheFiles(datasetAbs, opts);
  const misses: CacheMiss[] = [];
  const saver =
    (f: string) =>
    (index: RecordIndex, extras: ExtraColumns): void =>
      writeIndexCache(f, datasetAbs, fp, key, index, extras, opts);
  for (const f of files) {
    const rebuild = (): RecordIndex => {
      const index = build();
      if (sameFingerprint(fp, fingerprintFd(fd))) {
        try {
          saver(f)(index, new ExtraColumns());
        } catch {
          /* the index is still right */
        }
      }
      return index;
    };
    const r = readIndexCache(f, datasetAbs, fp, key, { rebuild });
    if ('index' in r) return { index: r.index, extras: r.extras, fp, file: f, hit: true, misses, save: saver(f) };
    misses.push(r.miss);
  }
  const index = build();
  // The file may have changed while it was scanned: only a fingerprint taken after the scan that
  // equals the one before it is stored.
  const after = fingerprintFd(fd);
  if (!sameFingerprint(fp, after)) return { index, extras: new ExtraColumns(), hit: false, misses };
  for (const f of files) {
    try {
      saver(f)(index, new ExtraColumns());
      return { index, extras: new ExtraColumns(), fp, file: f, hit: false, misses, save: saver(f) };
    } catch {
      /* not writable here: try the next place */
    }
  }
  return { index, extras: new ExtraColumns(), hit: false, misses };
}
