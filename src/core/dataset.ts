/**
 * An open dataset: the record index plus random access to records, their parsed values and their
 * normalised Items. Reads from disk through the index (works for files of any size) or from an
 * in-memory buffer (an editor document).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectFormat } from './formats/detect';
import { normalize, recordId } from './formats/normalize';
import { indexOfKey, itemKey } from './itemKey';
import { fileFingerprint, recordHash } from './hash';
import { cachedIndex, fingerprintFd, sameFingerprint, type CacheOptions, type ExtraColumns, type Fingerprint, type IndexKey } from './indexCache';
import type { FieldMapping, FormatId, Item } from './item';
import { isParquetPath, ParquetSource } from './parquet/parquetSource';
import { quickField } from './quickFields';
import { depthExceededAt, jsonSyntaxError, nestedDeeperThan } from './jsonSyntax';
import { idTextHash, indexBuffer, indexFd, type Container, type RecordIndex } from './recordIndex';
import { openRegularFile } from './regularFile';
import { firstInvalidUtf8 } from './utf8';

export interface OpenOptions {
  format?: FormatId;
  container?: Container;
  mapping?: FieldMapping;
  /** Number of leading records used to detect the format. */
  detectSample?: number;
  /** Persistent index (indexCache.ts): false bypasses it; default on (also off when COCURATE_NO_CACHE is set). */
  cache?: false | CacheOptions;
  /**
   * Progress of a scan (records, bytes read so far), for a worker thread that indexes in the
   * background; `partial` is the index so far (records below `records` are final), for a caller
   * that answers from an early record before the scan ends (`cocurate show`).
   */
  onProgress?: (records: number, bytes: number, partial: RecordIndex) => void;
}

/**
 * Records nested deeper than this (arrays and objects inside each other; the record is level 1) are
 * not read: code that walks values recursively (tree parsers, renderers) would run out of stack.
 */
export const MAX_DEPTH = 100;

/** Leading records read to detect the format (OpenOptions.detectSample). */
export const DETECT_SAMPLE = 20;

/** A record that is not valid JSON (`syntax`) or is nested too deep to read safely (`too-deep`). */
export class RecordSyntaxError extends Error {
  constructor(
    readonly index: number,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
    readonly code: 'syntax' | 'too-deep' = 'syntax',
  ) {
    super(`record ${index} (line ${line}, column ${column}): ${detail}`);
  }
}

interface CacheContext {
  file: string;
  /** The dataset's real path (the cache's key). */
  real: string;
  fp: Fingerprint;
  extras: ExtraColumns;
  /** Writes the index and `extras` to the cache file. */
  save: (index: RecordIndex, extras: ExtraColumns) => void;
  /** The dataset's fingerprint now (an extra column is stored only while it is unchanged). */
  current: () => Fingerprint;
}

export type ParseResult = { ok: true; value: unknown; raw: string } | { ok: false; error: RecordSyntaxError; raw: string };

interface ByteReader {
  /** Bytes [start, end); read into `into` when it is given and large enough (then valid until its next use). */
  read(start: number, end: number, into?: Buffer): Buffer;
  close(): void;
}

/**
 * What is known about record ids after one look at the index: the hash of each record's id (-1: the
 * record has no id) and the records whose id another record shares (their keys fall back to #index).
 */
/** Reads a parquet dataset's rows on another thread (Dataset.decodeRowsWith). */
export interface RowReader {
  /** Every record of a row group as JSON text (ParquetSource.groupRowBytes). */
  rowGroup(group: number): Promise<Buffer[]>;
  /** A row's image bytes by image column (ParquetSource.imageBytes). */
  rowImages(row: number): Promise<Map<string, Buffer | undefined>>;
}

export interface IdTable {
  hashes: Float64Array;
  duplicates: ReadonlySet<number>;
  /** Duplicated id → the indices that carry it, in file order. */
  duplicateIds: Map<string, number[]>;
}

export class Dataset {
  readonly format: FormatId;
  private idTable?: IdTable;

  private constructor(
    readonly path: string,
    readonly index: RecordIndex,
    private readonly reader: ByteReader,
    readonly mtimeMs: number,
    opts: OpenOptions,
    readonly mapping?: FieldMapping,
    /** Records that are not text in the file (parquet): read by row, not by byte range. */
    private readonly rows?: ParquetSource,
  ) {
    this.format = opts.format ?? this.detect(opts.detectSample ?? DETECT_SAMPLE);
  }

  /**
   * Opens a file on disk: streams it once to build the index. A parquet file or folder reads its
   * footers only; `ids` is its id table when worked out elsewhere (the index worker), so this thread
   * never reads every row group's ids.
   */
  static open(filePath: string, opts: OpenOptions & { ids?: IdTable } = {}): Dataset {
    const abs = path.resolve(filePath);
    if (isParquetPath(abs)) {
      const src = ParquetSource.open(abs, { idField: opts.mapping?.id });
      try {
        const ds = new Dataset(abs, src.index, { read: () => Buffer.alloc(0), close: () => src.close() }, src.mtimeMs, opts, opts.mapping, src);
        ds.idTable = opts.ids;
        return ds;
      } catch (e) {
        src.close();
        throw e;
      }
    }
    // A FIFO, a device or a folder (directly or through a symlink) is refused before it is read.
    const { fd, stat: st } = openRegularFile(abs);
    let index: RecordIndex;
    let cacheFile: string | undefined;
    let fromCache = false;
    let cacheCtx: CacheContext | undefined;
    try {
      const build = (): RecordIndex => indexFd(fd, { container: opts.container, fileName: abs, idField: opts.mapping?.id, onProgress: opts.onProgress });
      if (opts.cache === false || process.env.COCURATE_NO_CACHE) index = build();
      else {
        const key: IndexKey = { container: opts.container, idField: opts.mapping?.id ?? 'id' };
        // Keyed by the real path: the same file reached through a symlinked folder shares one cache.
        let real = abs;
        try {
          real = fs.realpathSync(abs);
        } catch {
          /* keep the path given */
        }
        const r = cachedIndex(fd, st, real, key, build, opts.cache);
        index = r.index;
        cacheFile = r.file;
        fromCache = r.hit;
        if (r.file && r.fp && r.save) cacheCtx = { file: r.file, real, fp: r.fp, extras: r.extras, save: r.save, current: () => fingerprintFd(fd) };
      }
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
    const ds = new Dataset(abs, index, fileReader(fd), st.mtimeMs, opts, opts.mapping);
    ds.indexCache = { file: cacheFile, hit: fromCache };
    ds.cacheCtx = cacheCtx;
    return ds;
  }

  /**
   * A file whose index was built elsewhere (a worker thread: src/core/indexWorker.ts): the file is
   * opened for reading, nothing is scanned. `ids` is the id table worked out with the index.
   */
  static fromIndex(filePath: string, index: RecordIndex, opts: OpenOptions & { ids?: IdTable } = {}): Dataset {
    const abs = path.resolve(filePath);
    const { fd, stat: st } = openRegularFile(abs);
    const ds = new Dataset(abs, index, fileReader(fd), st.mtimeMs, opts, opts.mapping);
    ds.idTable = opts.ids;
    return ds;
  }

  private cacheCtx?: CacheContext;

  /**
   * A per-record column derived from the records (e.g. group sizes), kept in the index cache file:
   * read from it when present, else computed and added to it (only while the file is unchanged).
   * `name` must say everything the values depend on besides the file (format, mapping).
   */
  cachedColumn(name: string, compute: () => ArrayLike<number>): Float64Array {
    const key = this.cacheKey(name);
    const ctx = this.cacheCtx;
    const hit = ctx?.extras.get(key);
    if (hit && hit.length === this.count) return hit;
    return this.batched(() => {
      const col = Float64Array.from(compute());
      if (ctx && this.unchanged(ctx)) {
        ctx.extras.set(key, col);
        this.saveCache();
      }
      return col;
    });
  }

  /**
   * A small value derived from the records (e.g. the group-size histogram `cocurate info` prints),
   * kept in the index cache file's header: read without reading any column. `name` as for
   * cachedColumn; the value must survive JSON. Columns the computation stores go in the same write.
   */
  cachedValue<T>(name: string, compute: () => T): T {
    const key = this.cacheKey(name);
    const ctx = this.cacheCtx;
    const hit = ctx?.extras.value(key);
    if (hit !== undefined) return hit as T;
    return this.batched(() => {
      const v = compute();
      if (ctx && this.unchanged(ctx)) {
        ctx.extras.setValue(key, v);
        this.saveCache();
      }
      return v;
    });
  }

  private cacheKey(name: string): string {
    return `${name}|${JSON.stringify(this.mapping ?? {})}`;
  }
  private unchanged(ctx: CacheContext): boolean {
    try {
      return sameFingerprint(ctx.fp, ctx.current());
    } catch {
      return false; // closed or gone
    }
  }
  private cacheBatch = 0;
  private cacheDirty = false;
  /** Runs `fn`; the cache writes it asks for are made once, at its end. */
  private batched<T>(fn: () => T): T {
    this.cacheBatch++;
    try {
      return fn();
    } finally {
      if (--this.cacheBatch === 0 && this.cacheDirty) this.saveCache();
    }
  }
  private saveCache(): void {
    const ctx = this.cacheCtx;
    if (!ctx) return;
    if (this.cacheBatch > 0) {
      this.cacheDirty = true;
      return;
    }
    this.cacheDirty = false;
    try {
      if (this.unchanged(ctx)) ctx.save(this.index, ctx.extras);
    } catch {
      /* the values are still right */
    }
  }

  /** Where the index came from: a cache file read (hit) or written, or neither (file undefined). */
  indexCache: { file?: string; hit: boolean } = { hit: false };

  /**
   * Opens text held in memory (an editor document); `fileName` is used for detection and paths.
   * `index`: the text's index, built elsewhere (the index worker's head), so none is built here.
   */
  static fromText(text: string | Buffer, fileName: string, opts: OpenOptions & { index?: RecordIndex } = {}): Dataset {
    const data = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    const index = opts.index ?? indexBuffer(data, { container: opts.container, fileName, idField: opts.mapping?.id });
    const reader: ByteReader = { read: (s, e) => data.subarray(s, e), close() {} };
    return new Dataset(path.resolve(fileName), index, reader, Date.now(), opts, opts.mapping);
  }

  get count(): number {
    return this.index.count;
  }
  get bytes(): number {
    return this.index.bytes;
  }
  get container(): Container | 'parquet' {
    return this.rows ? 'parquet' : this.index.container;
  }
  /** The parquet source behind this dataset, if any (row groups, image columns). */
  get parquet(): ParquetSource | undefined {
    return this.rows;
  }
  get folder(): string {
    return path.dirname(this.path);
  }

  close(): void {
    this.reader.close();
    (this.index as { close?: () => void }).close?.(); // a cached index's file
  }

  fingerprint(): string {
    return this.rows ? this.rows.fingerprint() : fileFingerprint(this.path);
  }

  private rowReader?: RowReader;

  /**
   * Lets prepare() have a parquet dataset's rows decoded elsewhere (the index worker, which has the
   * same file open: ARCHITECTURE.md › Opening a large dataset).
   */
  decodeRowsWith(reader: RowReader): void {
    this.rowReader = reader;
  }

  /**
   * Makes records `indices` readable without decoding on this thread: for a parquet dataset given a
   * reader (decodeRowsWith), fetches the row groups of those records not decoded here yet and, with
   * `images`, their embedded image bytes; at once for any other dataset. item(), rawBytes() and the
   * image bytes work without it, decoding here.
   */
  async prepare(indices: Iterable<number>, opts: { images?: boolean } = {}): Promise<void> {
    const src = this.rows;
    const reader = this.rowReader;
    if (!src || !reader) return;
    const list = [...indices];
    for (const g of src.undecodedGroups(list)) src.adoptGroupRows(g, await reader.rowGroup(g));
    if (!opts.images) return;
    for (const r of src.rowsWithoutImages(list)) src.adoptRowImages(r, await reader.rowImages(r));
  }

  rawBytes(i: number): Buffer {
    return this.rows ? this.rows.rowBytes(i) : this.reader.read(this.index.start(i), this.index.end(i));
  }
  raw(i: number): string {
    return this.rawBytes(i).toString('utf8');
  }

  parse(i: number): ParseResult {
    return parseRaw(this.raw(i), i, this.index.line(i), this.columnOfRecord);
  }

  /** Bytes [start, end) of the file. */
  bytesAt(start: number, end: number): Buffer {
    return this.reader.read(start, end);
  }

  /** 1-based column (UTF-16 code units) of the byte at `offset` in its line. */
  columnOf(offset: number): number {
    const STEP = 4096,
      LIMIT = 1 << 20;
    let lineStart = -1;
    let pos = offset;
    while (pos > 0 && offset - pos < LIMIT) {
      const from = Math.max(0, pos - STEP);
      const k = this.reader.read(from, pos).lastIndexOf(0x0a);
      if (k >= 0) {
        lineStart = from + k + 1;
        break;
      }
      pos = from;
    }
    if (lineStart < 0) lineStart = pos; // the file's first line, or a line longer than 1 MiB (counted from there)
    let bytes = this.reader.read(lineStart, offset);
    if (lineStart === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    return bytes.toString('utf8').length + 1;
  }

  /** 1-based column where record i starts in its line. */
  recordColumn(i: number): number {
    return this.columnOf(this.index.start(i));
  }
  /** recordColumn as a function value, made once (parseRaw calls it only to place an error). */
  readonly columnOfRecord = (i: number): number => this.recordColumn(i);

  /** File offset of the first invalid UTF-8 byte in record i, or -1 (the text shows U+FFFD there). */
  invalidUtf8At(i: number): number {
    const b = this.rawBytes(i);
    const k = firstInvalidUtf8(b);
    return k < 0 ? -1 : this.index.start(i) + k;
  }

  /** Normalised item i; a record with a syntax error throws RecordSyntaxError. */
  item(i: number): Item {
    const r = this.parse(i);
    if (!r.ok) throw r.error;
    return this.itemFrom(i, r.value, r.raw);
  }

  /** Item i from its parsed value; `withHash: false` skips hashing the raw text (bulk validation). */
  itemFrom(i: number, value: unknown, raw: string, withHash = true): Item {
    return normalize(value, this.format, {
      index: i,
      line: this.index.line(i),
      hash: withHash ? recordHash(raw) : '',
      key: this.keyFor(i, value),
      group: this.index.group(i),
      mapping: this.mapping,
    });
  }

  /** Stable key (the rule is in itemKey.ts). */
  keyFor(i: number, value?: unknown): string {
    // One record's entry of a cached id table is read alone (its block), not the whole table.
    const cached = this.idTable ? undefined : this.cacheCtx?.extras.cell(this.cacheKey(this.idsColumn()), i);
    if (value === undefined) {
      if ((cached ?? this.ids().hashes[i]) === -1) return itemKey(i, undefined, true);
      const p = this.parse(i);
      value = p.ok ? p.value : null;
    }
    const id = recordId(value, this.mapping);
    return itemKey(i, id, id === undefined || !(cached !== undefined ? cached < -1 : this.ids().duplicates.has(i)));
  }
  private idsColumn(): string {
    return `ids/${this.mapping?.id ?? 'id'}`;
  }

  /** Record index for a key ("#12" or an id), or undefined. A duplicated id finds its first record. */
  findKey(key: string): number | undefined {
    const i = indexOfKey(key);
    if (i !== undefined) return i < this.count ? i : undefined;
    const h = idTextHash(key);
    const { hashes } = this.ids();
    for (let i = 0; i < hashes.length; i++) {
      if (hashes[i] !== h) continue;
      const p = this.parse(i);
      if (p.ok && recordId(p.value, this.mapping) === key) return i;
    }
    return undefined;
  }

  /**
   * Ids of every record, from the hashes the index took of leading ids. Records the scanner was unsure
   * about are read (their heads first), and records whose hashes collide are parsed to compare ids.
   */
  ids(): IdTable {
    if (this.idTable) return this.idTable;
    // Kept in the index cache as one column: the id hash, or -(hash + 2) for a duplicated id.
    let computed: IdTable | undefined;
    const col = this.cachedColumn(this.idsColumn(), () => {
      computed = this.computeIds();
      const enc = new Float64Array(computed.hashes.length);
      for (let i = 0; i < enc.length; i++) enc[i] = computed.duplicates.has(i) ? -(computed.hashes[i] + 2) : computed.hashes[i];
      return enc;
    });
    if (computed) return (this.idTable = computed);
    const hashes = new Float64Array(col.length);
    const duplicates = new Set<number>();
    const duplicateIds = new Map<string, number[]>();
    for (let i = 0; i < col.length; i++) {
      const v = col[i];
      if (v < -1) {
        hashes[i] = -v - 2;
        duplicates.add(i);
        const p = this.parse(i);
        const id = p.ok ? recordId(p.value, this.mapping) : undefined;
        if (id !== undefined) duplicateIds.set(id, [...(duplicateIds.get(id) ?? []), i]);
      } else hashes[i] = v;
    }
    return (this.idTable = { hashes, duplicates, duplicateIds });
  }

  private computeIds(): IdTable {
    const n = this.count;
    const hashes = new Float64Array(n);
    const unsure: number[] = [];
    for (let i = 0; i < n; i++) {
      const h = this.index.idHash(i);
      hashes[i] = h;
      if (Number.isNaN(h)) unsure.push(i);
    }
    const field = this.mapping?.id ?? 'id';
    const HEAD = 512;
    const resolve = (i: number, head?: string): void => {
      let v: unknown = head === undefined ? null : quickField(head, field, this.index.end(i) - this.index.start(i) <= HEAD);
      if (v === null) {
        const p = this.parse(i);
        v = p.ok && p.value && typeof p.value === 'object' && !Array.isArray(p.value) ? (p.value as Record<string, unknown>)[field] : undefined;
      }
      hashes[i] = typeof v === 'string' || typeof v === 'number' ? idTextHash(String(v)) : -1;
    };
    if (unsure.length > n / 8) {
      // Many records without a leading id: one sequential pass over record heads.
      let k = 0;
      this.forEachRaw((i, head) => {
        if (unsure[k] !== i) return;
        k++;
        resolve(i, head);
      }, HEAD);
    } else {
      for (const i of unsure) resolve(i);
    }
    // Equal hashes: sort (hash, index) pairs packed into one float, natively; parse and compare
    // the real ids only where hashes repeat.
    const SHIFT = 2 ** 21;
    let m = 0;
    const packed = new Float64Array(n);
    const wide = n >= SHIFT;
    for (let i = 0; i < n; i++) if (hashes[i] !== -1) packed[m++] = wide ? hashes[i] : hashes[i] * SHIFT + i;
    const sorted = packed.subarray(0, m).sort();
    const duplicates = new Set<number>();
    const duplicateIds = new Map<string, number[]>();
    const hashOf = (x: number): number => (wide ? x : Math.floor(x / SHIFT));
    for (let s = 0; s < m; ) {
      let e = s + 1;
      while (e < m && hashOf(sorted[e]) === hashOf(sorted[s])) e++;
      if (e - s > 1) {
        const h = hashOf(sorted[s]);
        const members: number[] = [];
        if (wide) {
          for (let i = 0; i < n; i++) if (hashes[i] === h) members.push(i);
        } else for (let k = s; k < e; k++) members.push(sorted[k] - h * SHIFT);
        const byId = new Map<string, number[]>();
        for (const i of members) {
          const p = this.parse(i);
          const id = p.ok ? recordId(p.value, this.mapping) : undefined;
          if (id === undefined) continue;
          const list = byId.get(id) ?? [];
          list.push(i);
          byId.set(id, list);
        }
        for (const [id, list] of byId) {
          if (list.length < 2) continue;
          list.sort((a, b) => a - b);
          duplicateIds.set(id, list);
          for (const i of list) duplicates.add(i);
        }
      }
      s = e;
    }
    return { hashes, duplicates, duplicateIds };
  }

  /**
   * Calls `fn` with each record's raw text in file order, reading the file sequentially in large
   * chunks. With `maxBytes`, only the first bytes of each record are passed (for quick scans).
   */
  forEachRaw(fn: (i: number, raw: string) => void, maxBytes = Infinity, from = 0, to = this.count): void {
    this.forEachRawBytes((i, buf, s, e) => fn(i, buf.toString('utf8', s, e)), maxBytes, from, to);
  }

  /**
   * Like forEachRaw, without decoding: `buf[s..e)` holds record i's bytes (or its first maxBytes).
   * `buf` is valid during the call only: chunks are read into one buffer (a fresh 8 MiB buffer per
   * chunk cost ~0.5 s of page faults over 300 MB, ARCHITECTURE.md › "Scanning on two cores").
   */
  forEachRawBytes(fn: (i: number, buf: Buffer, s: number, e: number) => void, maxBytes = Infinity, from = 0, to = this.count): void {
    if (this.rows) {
      for (let k = from; k < to; k++) {
        const b = this.rows.rowBytes(k);
        fn(k, b, 0, Math.min(b.length, maxBytes));
      }
      return;
    }
    const CH = 1 << 23;
    let scratch: Buffer | undefined;
    let i = from;
    while (i < to) {
      const chunkStart = this.index.start(i);
      let j = i;
      // Take records until the chunk would exceed CH bytes (at least one record).
      while (j < to && (j === i || this.index.end(j) - chunkStart <= CH)) j++;
      const lastEnd = Math.min(this.index.end(j - 1), this.index.start(j - 1) + maxBytes);
      if (lastEnd - chunkStart <= CH) scratch ??= Buffer.allocUnsafeSlow(CH);
      const buf = this.reader.read(chunkStart, lastEnd, lastEnd - chunkStart <= CH ? scratch : undefined);
      for (let k = i; k < j; k++) {
        const s = this.index.start(k) - chunkStart;
        const e = Math.min(this.index.end(k), this.index.start(k) + maxBytes) - chunkStart;
        fn(k, buf, s, e);
      }
      i = j;
    }
  }

  private detect(n: number): FormatId {
    const sample: unknown[] = [];
    for (let i = 0; i < Math.min(n, this.count); i++) {
      const r = this.parse(i);
      if (r.ok) sample.push(r.value);
    }
    return detectFormat(sample, this.mapping);
  }
}

function fileReader(fd: number): ByteReader {
  return {
    read(start, end, into) {
      const buf = into && into.length >= end - start ? into.subarray(0, end - start) : Buffer.allocUnsafe(end - start);
      let got = 0;
      while (got < buf.length) {
        const n = fs.readSync(fd, buf, got, buf.length - got, start + got);
        if (n === 0) break;
        got += n;
      }
      return buf.subarray(0, got);
    },
    close() {
      fs.closeSync(fd);
    },
  };
}

/** Records up to this many characters are grammar-checked before JSON.parse (see jsonSyntax.ts). */
const SHORT_RECORD = 128;

/**
 * Parses a record's raw text; a syntax error names the line and column within the file. A record
 * nested deeper than MAX_DEPTH is refused as `too-deep`. `startColumn` is the column where the record
 * starts in its line (a function of the index: it is only worked out when there is an error to place).
 */
export function parseRaw(raw: string, index: number, startLine: number, startColumn: number | ((index: number) => number) = 1): ParseResult {
  const fail = (pos: number, detail: string, code: 'syntax' | 'too-deep'): ParseResult => {
    const before = raw.slice(0, pos);
    const nl = before.lastIndexOf('\n');
    const line = startLine + (before.match(/\n/g)?.length ?? 0);
    const column = nl >= 0 ? pos - nl : (typeof startColumn === 'function' ? startColumn(index) : startColumn) + pos;
    // No stack trace: it is never shown, and capturing one costs more than a short record's parse.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return { ok: false, error: new RecordSyntaxError(index, line, column, detail, code), raw };
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
  const tooDeep = (): ParseResult =>
    fail(
      Math.max(0, depthExceededAt(raw, MAX_DEPTH)),
      `the record is nested deeper than ${MAX_DEPTH} levels (arrays and objects inside each other); it is not read — flatten it`,
      'too-deep',
    );
  // A short record is checked without JSON.parse: a thrown SyntaxError costs more than the parse.
  if (raw.length <= SHORT_RECORD) {
    const f = jsonSyntaxError(raw);
    if (f) return fail(f.pos, `invalid JSON: ${f.message}`, 'syntax');
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (e) {
    if (e instanceof RangeError) return tooDeep();
    const msg = (e as Error).message;
    const f = jsonSyntaxError(raw);
    if (f) return fail(f.pos, `invalid JSON: ${f.message}`, 'syntax');
    const detail = msg
      .replace(/^JSON\.parse: /, '')
      .replace(/ in JSON at position \d+.*$/, '')
      .replace(/, ".*" is not valid JSON$/s, '');
    return fail(syntaxErrorPosition(raw, msg), `invalid JSON: ${detail}`, 'syntax');
  }
  if (nestedDeeperThan(value, MAX_DEPTH)) return tooDeep();
  return { ok: true, value, raw };
}

function syntaxErrorPosition(raw: string, message: string): number {
  const m = /at position (\d+)/.exec(message);
  if (m) return Math.min(Number(m[1]), raw.length);
  if (/Unexpected end of JSON input|Unterminated string/i.test(message)) return raw.length;
  return 0;
}
