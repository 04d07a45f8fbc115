/**
 * Streaming record index: byte offsets of every record in a JSONL file, a top-level JSON array,
 * or an object of arrays grouped by name ({"koniq": [...], "spaq": [...]}), without materialising
 * records. Memory grows with the record count (three numbers per record), not the file size.
 *
 * The scanner finds record boundaries (strings, escapes, brackets); it does not validate JSON
 * grammar. Records are parsed on access, so a syntax error inside one record surfaces on that
 * record only. Structural faults (no closing bracket, missing comma, garbage at top level) are
 * collected in `errors` with the record index and line, and the records before them stay usable.
 */
import * as fs from 'node:fs';
import { parallelScanFrom, startTailWorker, tailSplitTarget } from './parallelScan';
import { openRegularFile } from './regularFile';

export type Container = 'jsonl' | 'array' | 'grouped';

export interface IndexError {
  /** Record index the fault belongs to (the record being scanned, or the next one). */
  index: number;
  /** 1-based line of the fault. */
  line: number;
  /** 1-based column of the fault in its line, in bytes. */
  column: number;
  /** Byte offset of the fault. */
  offset: number;
  message: string;
}

export interface RecordIndex {
  container: Container;
  /** Number of records. */
  readonly count: number;
  /** Total bytes scanned. */
  bytes: number;
  /** Byte offset of record i's first byte. */
  start(i: number): number;
  /** Byte offset one past record i's last byte. */
  end(i: number): number;
  /** 1-based line where record i starts. */
  line(i: number): number;
  /** Group name (grouped container) or undefined. */
  group(i: number): string | undefined;
  /**
   * FNV-1a hash of the record's id when the id is its first key (plain string without escapes, or
   * an integer); NaN when the scanner could not tell (the caller then parses the record).
   */
  idHash(i: number): number;
  /** The first MAX_INDEX_ERRORS structural faults, in file order. */
  errors: IndexError[];
  /** Faults found after `errors` was full (counted, not kept: garbage must not cost memory). */
  errorsOmitted: number;
}

/** Structural faults kept per file; the rest are only counted (a file of a million commas). */
export const MAX_INDEX_ERRORS = 1000;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over bytes: the same function the scanner uses for leading ids. */
export function fnv1a(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let h = FNV_OFFSET;
  for (let k = from; k < to; k++) h = Math.imul(h ^ bytes[k], FNV_PRIME);
  return h >>> 0;
}

/** Hash of an id as text, comparable with RecordIndex.idHash. */
export function idTextHash(id: string): number {
  return fnv1a(Buffer.from(id, 'utf8'));
}

/**
 * At `p` (a "{" in buf), reads the first key; when it is `field` and its value is a string without
 * escapes or a plain integer, returns the FNV-1a hash of the value's text. NaN when unsure.
 */
function leadingIdHash(buf: Buffer, p: number, n: number, field: Buffer): number {
  let q = p + 1;
  while (q < n && isWs(buf[q])) q++;
  if (q >= n || buf[q] !== QUOTE) return NaN;
  q++;
  if (q + field.length >= n) return NaN;
  for (let k = 0; k < field.length; k++) if (buf[q + k] !== field[k]) return NaN;
  q += field.length;
  if (buf[q] !== QUOTE) return NaN;
  q++;
  while (q < n && isWs(buf[q])) q++;
  if (q >= n || buf[q] !== COLON) return NaN;
  q++;
  while (q < n && isWs(buf[q])) q++;
  if (q >= n) return NaN;
  if (buf[q] === QUOTE) {
    // Hash up to the closing quote; an escape makes us unsure (ids are short: a byte loop).
    let h = FNV_OFFSET;
    for (let k = q + 1; k < n; k++) {
      const c = buf[k];
      if (c === QUOTE) return h >>> 0;
      if (c === BACKSLASH) return NaN;
      h = Math.imul(h ^ c, FNV_PRIME);
    }
    return NaN;
  }
  let e = q;
  if (buf[e] === 0x2d) e++;
  if (e < n && buf[e] === 0x30 && e + 1 < n && buf[e + 1] >= 0x30 && buf[e + 1] <= 0x39) return NaN;
  while (e < n && buf[e] >= 0x30 && buf[e] <= 0x39) e++;
  if (e === q || e >= n) return NaN;
  const after = buf[e];
  if (after !== COMMA && after !== RBRACE && !isWs(after)) return NaN; // 1.5, 1e3: not a plain integer
  return fnv1a(buf, q, e);
}

const CHUNK = 1 << 22; // 4 MiB
const QUOTE = 0x22,
  BACKSLASH = 0x5c,
  NL = 0x0a,
  CR = 0x0d,
  SPACE = 0x20,
  TAB = 0x09;
const LBRACE = 0x7b,
  RBRACE = 0x7d,
  LBRACK = 0x5b,
  RBRACK = 0x5d,
  COMMA = 0x2c,
  COLON = 0x3a;

const U32_LIMIT = 0x1_0000_0000;

/**
 * The columns of a scan, five per record in 21 bytes: start (float64, exact beyond 4 GiB), length and
 * line (uint32, widened to float64 the first time a value does not fit), id hash (uint32) and
 * whether it is known (uint8). Capacity is reserved from an estimate of the record count, so the
 * columns are rarely copied while they grow (fresh memory is what a scan pays for most after the
 * bytes themselves).
 */
class Columns {
  starts: Float64Array;
  lengths: Uint32Array | Float64Array;
  lines: Uint32Array | Float64Array;
  hashes: Uint32Array;
  hashKnown: Uint8Array;
  groupIds: number[] | undefined;
  count = 0;
  constructor(grouped: boolean, capacity = 1024) {
    this.starts = new Float64Array(capacity);
    this.lengths = new Uint32Array(capacity);
    this.lines = new Uint32Array(capacity);
    this.hashes = new Uint32Array(capacity);
    this.hashKnown = new Uint8Array(capacity);
    this.groupIds = grouped ? [] : undefined;
  }
  add(start: number, end: number, line: number, idHash: number, group: number): void {
    const i = this.count;
    if (i === this.starts.length) this.reserve(i * 2);
    this.starts[i] = start;
    const len = end - start;
    if (len >= U32_LIMIT && this.lengths instanceof Uint32Array) this.lengths = Float64Array.from(this.lengths);
    this.lengths[i] = len;
    if (line >= U32_LIMIT && this.lines instanceof Uint32Array) this.lines = Float64Array.from(this.lines);
    this.lines[i] = line;
    if (idHash === idHash) {
      this.hashes[i] = idHash;
      this.hashKnown[i] = 1;
    }
    if (this.groupIds) this.groupIds.push(group);
    this.count = i + 1;
  }
  /** Appends another scan's columns (a tail's), its lines shifted by `lineOffset`. */
  append(
    t: {
      count: number;
      starts: Float64Array;
      lengths: Uint32Array | Float64Array;
      lines: Uint32Array | Float64Array;
      hashes: Uint32Array;
      hashKnown: Uint8Array;
    },
    lineOffset: number,
  ): void {
    const n = t.count;
    if (n === 0) return;
    this.reserve(this.count + n);
    const at = this.count;
    if (t.lengths instanceof Float64Array && this.lengths instanceof Uint32Array) this.lengths = Float64Array.from(this.lengths);
    if (t.lines[n - 1] + lineOffset >= U32_LIMIT && this.lines instanceof Uint32Array) this.lines = Float64Array.from(this.lines);
    this.starts.set(t.starts.subarray(0, n), at);
    this.lengths.set(t.lengths.subarray(0, n), at);
    const lines = this.lines;
    const from = t.lines;
    for (let i = 0; i < n; i++) lines[at + i] = from[i] + lineOffset;
    this.hashes.set(t.hashes.subarray(0, n), at);
    this.hashKnown.set(t.hashKnown.subarray(0, n), at);
    this.count = at + n;
  }
  /** Makes room for `capacity` records (never shrinks). */
  reserve(capacity: number): void {
    if (capacity <= this.starts.length) return;
    const grow = <T extends Float64Array | Uint32Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(a.subarray(0, this.count));
      return next;
    };
    this.starts = grow(this.starts, (n) => new Float64Array(n));
    this.lengths = this.lengths instanceof Uint32Array ? grow(this.lengths, (n) => new Uint32Array(n)) : grow(this.lengths, (n) => new Float64Array(n));
    this.lines = this.lines instanceof Uint32Array ? grow(this.lines, (n) => new Uint32Array(n)) : grow(this.lines, (n) => new Float64Array(n));
    this.hashes = grow(this.hashes, (n) => new Uint32Array(n));
    this.hashKnown = grow(this.hashKnown, (n) => new Uint8Array(n));
  }
}

class BuiltIndex implements RecordIndex {
  readonly cols: Columns;
  /** Scanned in two halves: whether the tail joined, or the head scanned it after all ('alone'). Tests read it. */
  tail?: 'joined' | 'alone';
  groupNames: string[] = [];
  errors: IndexError[] = [];
  errorsOmitted = 0;
  bytes = 0;
  constructor(public container: Container) {
    this.cols = new Columns(container === 'grouped');
  }
  get count(): number {
    return this.cols.count;
  }
  start(i: number): number {
    this.check(i);
    return this.cols.starts[i];
  }
  end(i: number): number {
    this.check(i);
    return this.cols.starts[i] + this.cols.lengths[i];
  }
  line(i: number): number {
    this.check(i);
    return this.cols.lines[i];
  }
  idHash(i: number): number {
    this.check(i);
    return this.cols.hashKnown[i] ? this.cols.hashes[i] : NaN;
  }
  group(i: number): string | undefined {
    if (this.container !== 'grouped') return undefined;
    this.check(i);
    return this.groupNames[(this.cols.groupIds as number[])[i]];
  }
  addError(e: IndexError): void {
    if (this.errors.length < MAX_INDEX_ERRORS) this.errors.push(e);
    else this.errorsOmitted++;
  }
  /** After the first chunk: reserve room for the whole file's records, estimated from this chunk's. */
  reserveFor(bytesRead: number, totalBytes: number): void {
    if (this.count === 0 || bytesRead <= 0 || totalBytes <= bytesRead) return;
    const estimate = Math.ceil((this.count * totalBytes * 1.1) / bytesRead) + 64;
    this.cols.reserve(Math.min(estimate, Math.ceil(totalBytes / 2) + 1)); // a record takes at least 2 bytes ("0,")
  }
  private check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw new RangeError(`record ${i} is out of range (0–${this.count - 1})`);
  }
}

/** A source of bytes read in order, in chunks. */
interface ByteSource {
  /** The next chunk (at most the chunk size; a view valid until the next call), or null at the end. */
  next(): Buffer | null;
  /** Total bytes the source will yield, when known (reserves the columns). */
  total: number;
}

/**
 * Chunks of a file from `start` to `end` (default: its end), read through `fd`, or views into bytes
 * in memory (no copy). Chunk boundaries sit on a grid of `chunkSize` from `origin`, so a scan of the
 * second half of a file meets the same chunks as a scan of the whole (an id hash is read from the
 * chunk a record starts in: the results must not differ). One class for both, so that a scanner's
 * call to `next` has one target (see warmUp).
 */
class ChunkSource implements ByteSource {
  total: number;
  private pos: number;
  private want: number;
  private readonly end: number;
  private readonly buf: Buffer | undefined;
  constructor(
    private readonly fd: number,
    private readonly data: Buffer | undefined,
    start: number,
    private readonly chunkSize: number,
    origin: number,
    end: number,
  ) {
    this.pos = start;
    this.want = chunkSize - ((start - origin) % chunkSize);
    let size = 0;
    if (data) size = data.length;
    else {
      try {
        size = fs.fstatSync(fd).size;
      } catch {
        /* no estimate */
      }
    }
    this.end = data ? Math.min(end, data.length) : end;
    this.total = Math.max(0, Math.min(size, end) - start);
    this.buf = data ? undefined : Buffer.allocUnsafe(chunkSize);
  }
  next(): Buffer | null {
    const len = Math.min(this.want, this.end - this.pos);
    this.want = this.chunkSize;
    if (this.data) {
      if (len <= 0) return null;
      const chunk = this.data.subarray(this.pos, this.pos + len);
      this.pos += len;
      return chunk;
    }
    const buf = this.buf as Buffer;
    let n = 0;
    while (n < len) {
      const r = fs.readSync(this.fd, buf, n, len - n, this.pos + n);
      if (r === 0) break;
      n += r;
    }
    this.pos += n;
    return n === 0 ? null : buf.subarray(0, n);
  }
}

function fileSource(fd: number, start: number, chunkSize: number, origin = start, end = Infinity): ByteSource {
  return new ChunkSource(fd, undefined, start, chunkSize, origin, end);
}

/** Views into the bytes in memory, no copy (the same chunk grid as fileSource). */
function bufferSource(data: Buffer, start: number, chunkSize: number, origin = start, end = data.length): ByteSource {
  return new ChunkSource(-1, data, start, chunkSize, origin, end);
}

/** Peeks at the first bytes to choose the container. */
export function detectContainer(head: Buffer, fileName = ''): Container {
  let i = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) i = 3;
  while (i < head.length && isWs(head[i])) i++;
  if (/\.jsonl$|\.ndjson$/i.test(fileName)) return 'jsonl';
  if (head[i] === LBRACK) return 'array';
  if (head[i] !== LBRACE) return 'jsonl';
  // An object: JSONL when the first line holds one complete value and another record follows.
  const text = head.toString('utf8', i);
  const nl = text.indexOf('\n');
  if (nl > 0) {
    const firstLine = text.slice(0, nl).trim();
    try {
      JSON.parse(firstLine);
      return 'jsonl';
    } catch {
      /* not a single-line record */
    }
  } else if (head.length < 65536) {
    // Whole file is one line holding one object: a grouped object if its values are arrays.
    try {
      const v = JSON.parse(text);
      if (v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every(Array.isArray)) return 'grouped';
    } catch {
      /* fall through */
    }
    return 'jsonl';
  }
  return 'grouped';
}

function isWs(b: number): boolean {
  return b === SPACE || b === NL || b === CR || b === TAB;
}

export interface IndexOptions {
  /** Force a container instead of detecting it. */
  container?: Container;
  /** File name, used for detection by extension. */
  fileName?: string;
  /** Read chunk size in bytes (tests use tiny chunks to exercise chunk boundaries). */
  chunkSize?: number;
  /** Field whose leading value is hashed as the record's id (default "id"). */
  idField?: string;
  /** Called after each chunk with the records indexed so far, the bytes read and the index so far (a worker's progress, an early record). */
  onProgress?: Progress;
  /** indexFd: files of at least this many bytes scan their tail in a worker thread (default parallelScanFrom(container), parallelScan.ts). */
  parallelMinBytes?: number;
}

/** After each chunk: records and bytes so far, and the index so far (records below `records` are final). */
export type Progress = (records: number, bytes: number, partial: RecordIndex) => void;

/**
 * Indexes a file on disk, streaming it in 4 MiB chunks. Anything but a regular file (a FIFO, a
 * device, a folder, or a symlink to one) is refused before a byte is read.
 */
export function indexFile(filePath: string, opts: IndexOptions = {}): RecordIndex {
  const { fd } = openRegularFile(filePath);
  try {
    return indexFd(fd, { fileName: filePath, ...opts });
  } finally {
    fs.closeSync(fd);
  }
}

/** Indexes an open file descriptor (the caller checked that it is a regular file). */
export function indexFd(fd: number, opts: IndexOptions = {}): RecordIndex {
  const head = Buffer.alloc(65536);
  const n = fs.readSync(fd, head, 0, head.length, 0);
  const container = opts.container ?? detectContainer(head.subarray(0, n), opts.fileName ?? '');
  const bom = hasBom(head.subarray(0, n)) ? 3 : 0;
  const chunk = opts.chunkSize ?? CHUNK;
  if (container !== 'grouped') {
    // Large files: the second half in a worker thread (parallelScan.ts), joined to the first.
    const size = fs.fstatSync(fd).size;
    if (size - bom >= (opts.parallelMinBytes ?? parallelScanFrom(container))) {
      const split = splitPoint((b, at) => fs.readSync(fd, b, 0, b.length, at), bom, size, container, tailSplitTarget(container, bom, size));
      const idField = opts.idField ?? 'id';
      const tail = split > bom ? startTailWorker(fd, { container, from: split, origin: bom, chunkSize: chunk, idField }) : undefined;
      if (tail) {
        const source = (from: number, end: number): ByteSource => fileSource(fd, from, chunk, bom, end);
        return scanSplit(container, source, bom, split, Buffer.from(idField, 'utf8'), tail, opts.onProgress);
      }
    }
  }
  return scan(fileSource(fd, bom, chunk), container, bom, opts.idField, opts.onProgress);
}

/** The tail of a file, for the worker thread (scanWorker.ts). */
export function scanFileTail(fd: number, job: TailJob, onChunk?: (records: number, bytes: number) => boolean): TailResult | undefined {
  return scanTail(fileSource(fd, job.from, job.chunkSize, job.origin), job, onChunk);
}

/**
 * Indexes bytes in memory as two halves split at `split`, the tail scanned in this thread: what a
 * worker would do, for tests (it must equal indexBuffer). JSONL splits only just after a newline.
 */
export function indexBufferSplit(data: Buffer, split: number, opts: IndexOptions = {}): RecordIndex {
  const container = opts.container ?? detectContainer(data.subarray(0, 65536), opts.fileName ?? '');
  const bom = hasBom(data) ? 3 : 0;
  const chunk = opts.chunkSize ?? CHUNK;
  if (container === 'grouped') throw new Error('a grouped object is scanned in one thread');
  if (split <= bom || split >= data.length || (container === 'jsonl' && data[split - 1] !== NL)) throw new RangeError(`cannot split at ${split}`);
  const job: TailJob = { container, from: split, origin: bom, chunkSize: chunk, idField: opts.idField ?? 'id' };
  let result: TailResult | undefined | null = null;
  const tail: TailHandle = {
    progress: () => ({ records: 0, bytes: 0 }),
    result: () => (result ??= scanTail(bufferSource(data, split, chunk, bom), job)),
    cancel() {},
  };
  const source = (from: number, end: number): ByteSource => bufferSource(data, from, chunk, bom, end);
  return scanSplit(container, source, bom, split, Buffer.from(job.idField, 'utf8'), tail, opts.onProgress);
}

/**
 * A JSON array indexed by the structured scanner (the one grouped objects use) instead of the array
 * scanner: the reference the array scanner is tested against.
 */
export function indexBufferReference(data: Buffer, opts: IndexOptions = {}): RecordIndex {
  const bom = hasBom(data) ? 3 : 0;
  return scanStructured(bufferSource(data, bom, opts.chunkSize ?? CHUNK), 'array', bom, Buffer.from(opts.idField ?? 'id', 'utf8'), opts.onProgress);
}

/** splitPoint over bytes in memory (from the middle, or from `target`). */
export function bufferSplitPoint(data: Buffer, container: 'array' | 'jsonl', target?: number): number {
  const bom = hasBom(data) ? 3 : 0;
  return splitPoint((b, at) => data.copy(b, 0, at, Math.min(data.length, at + b.length)), bom, data.length, container, target);
}

/** Indexes bytes in memory (an editor's document, a test fixture). */
export function indexBuffer(data: Buffer, opts: IndexOptions = {}): RecordIndex {
  const container = opts.container ?? detectContainer(data.subarray(0, 65536), opts.fileName ?? '');
  const bom = hasBom(data) ? 3 : 0;
  return scan(bufferSource(data, bom, opts.chunkSize ?? CHUNK), container, bom, opts.idField, opts.onProgress);
}

function hasBom(b: Buffer): boolean {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
}

/**
 * Bytes that take the paths a real file takes through the scanners — short and long strings, escaped
 * quotes and backslashes, nesting, newlines, blank lines and trailing blanks, bare literals, the
 * closing bracket — scanned in tiny chunks so that strings, escapes, lines and records are cut by
 * chunk ends too.
 */
const WARM_UP_RECORD = `{"id": "a\\\\b", "long": "${'x'.repeat(48)}\\" \\\\", "n": [1, {"z": null}], "t": true}`;
const WARM_UP_ARRAY = Buffer.from(`[\n ${WARM_UP_RECORD},\n 7, "s", [2],\n {"id": 12}\n]\n`);
const WARM_UP_JSONL = Buffer.from(`${WARM_UP_RECORD}\n{"id": 12}  \n\n 7\n{"id": 3}`);
const WARM_MIN_BYTES = 8 << 20;
const warmedUp = new Set<'array' | 'jsonl'>();

/**
 * Before the first large scan of a process: the scanner runs over a sample (an array scan whole and
 * as a tail), so that every path of its hot function has run before V8 optimises it. A path first
 * met in optimised code throws that code away mid-file, and the scan goes on unoptimised until it is
 * compiled again; without this, the passage from one chunk to the next does it at the end of the
 * first chunk (that code first ran before V8 gave the function its type feedback). ~1 ms, once per
 * process; figures in ARCHITECTURE.md › Core, "Scanning on two cores".
 */
function warmUp(container: 'array' | 'jsonl', bytes: number, field: Buffer): void {
  if (warmedUp.has(container) || bytes < WARM_MIN_BYTES) return;
  warmedUp.add(container);
  // Progress callbacks of two kinds: a scan's own (a closure the optimiser has not seen) is then one more, not a new target.
  const quiet = [(): void => {}, (): boolean => true, undefined];
  for (const size of [1, 2, 3, 5, 8, 13, 64]) {
    for (const onProgress of quiet) {
      if (container === 'jsonl') {
        scanLinesInto(new BuiltIndex('jsonl'), bufferSource(WARM_UP_JSONL, 0, size), 0, field, 1, true, onProgress);
        continue;
      }
      new ArrayRun(bufferSource(WARM_UP_ARRAY, 0, size), new ArrayScan(new BuiltIndex('array'), field, 0), 0, onProgress).run();
      new ArrayRun(bufferSource(WARM_UP_ARRAY, 1, size), new ArrayScan(undefined, field, 1), 1, onProgress).run();
    }
  }
}

/** `start` is the offset of the first byte the source yields (3 after a UTF-8 BOM). */
function scan(src: ByteSource, container: Container, start: number, idField = 'id', onProgress?: Progress): RecordIndex {
  const field = Buffer.from(idField, 'utf8');
  if (container === 'jsonl') return scanLines(src, start, field, onProgress);
  return container === 'array' ? scanArray(src, start, field, onProgress) : scanStructured(src, container, start, field, onProgress);
}

/** JSONL: every non-blank line is a record. Uses native indexOf for newline search. */
function scanLines(src: ByteSource, start: number, field: Buffer, onProgress?: Progress): RecordIndex {
  warmUp('jsonl', src.total, field);
  const idx = new BuiltIndex('jsonl');
  scanLinesInto(idx, src, start, field, 1, true, onProgress);
  return idx;
}

/** Adds the lines of `src` (file offset `start`, line `firstLine`) to `idx`; returns the end offset and the line there. */
function scanLinesInto(
  idx: BuiltIndex,
  src: ByteSource,
  start: number,
  field: Buffer,
  firstLine: number,
  reserve: boolean,
  onProgress?: Progress,
): { bytes: number; line: number } {
  const cols = idx.cols;
  let base = start; // file offset of buf[0]
  let line = firstLine;
  let firstContent = -1; // file offset of first non-ws byte in the current line
  let lastContentEnd = -1; // file offset one past the last non-ws byte in the current line
  let lineIdHash = NaN;
  let first = true;
  for (let buf = src.next(); buf !== null; buf = src.next()) {
    const n = buf.length;
    let p = 0;
    while (p < n) {
      const nl = buf.indexOf(NL, p);
      const segEnd = nl === -1 ? n : nl;
      // Content bounds inside [p, segEnd): skip leading/trailing whitespace.
      if (firstContent < 0) {
        let a = p;
        while (a < segEnd && isWs(buf[a])) a++;
        if (a < segEnd) {
          firstContent = base + a;
          lineIdHash = buf[a] === LBRACE ? leadingIdHash(buf, a, segEnd, field) : NaN;
        }
      }
      if (firstContent >= 0) {
        let b = segEnd;
        while (b > p && isWs(buf[b - 1])) b--;
        if (b > p && base + b > lastContentEnd) lastContentEnd = base + b;
      }
      if (nl === -1) break;
      if (firstContent >= 0) cols.add(firstContent, lastContentEnd, line, lineIdHash, 0);
      line++;
      firstContent = -1;
      lastContentEnd = -1;
      p = nl + 1;
    }
    base += n;
    if (first) {
      if (reserve) idx.reserveFor(base - start, src.total);
      first = false;
    }
    onProgress?.(idx.count, base, idx);
  }
  if (firstContent >= 0) cols.add(firstContent, lastContentEnd, line, lineIdHash, 0);
  idx.bytes = base;
  return { bytes: base, line };
}

/** Bytes of a string scanned one by one before the rest is searched natively (keys and short values). */
const SHORT_STRING = 24;

/**
 * JSON array (records at depth 1) or grouped object (records at depth 2 inside arrays that are the
 * values of the top-level object's keys). Inside a record only quotes, brackets and newlines
 * matter: short strings are walked byte by byte, long ones searched with native indexOf (a quote
 * is escaped when an odd run of backslashes precedes it). Lines are counted as newlines are met
 * (between tokens, or inside a broken string), never by searching the chunk again.
 */
function scanStructured(src: ByteSource, container: 'array' | 'grouped', start: number, field: Buffer, onProgress?: Progress): RecordIndex {
  const idx = new BuiltIndex(container);
  const cols = idx.cols;
  const recordDepth = container === 'array' ? 1 : 2;
  let base = start;
  let line = 1;
  let lineStart = start; // file offset of the current line's first byte
  let depth = 0; // bracket depth; the top-level container is depth 1 once opened
  let inString = false;
  let longString = false; // the open string is past its first SHORT_STRING bytes
  let escapePending = false;
  let inLiteral = false; // a bare literal record (number, true …) runs to the end of the chunk
  let started = false; // saw the top-level opening bracket
  let finished = false; // saw the top-level closing bracket
  let recStart = -1; // file offset of the open record's first byte, -1 when none
  let recLine = 0;
  let recEnd = -1; // file offset one past the last non-ws byte of the open record
  let recClosed = false; // the open record's value is complete (awaiting , or ])
  let recIdHash = NaN;
  let stringIsKey = false; // grouped: string at depth 1 is a group key
  let keyParts: Buffer[] = [];
  let currentGroup = -1;
  let trailingGarbageReported = false;
  let first = true;

  const err = (offset: number, message: string): void => {
    idx.addError({ index: idx.count, line, column: offset - lineStart + 1, offset, message });
  };
  const closeRecord = (): void => {
    if (recStart < 0) return;
    cols.add(recStart, recEnd, recLine, recIdHash, currentGroup);
    recStart = -1;
    recClosed = false;
  };
  const endKey = (): void => {
    stringIsKey = false;
    const raw = Buffer.concat(keyParts);
    keyParts = [];
    let name: string;
    try {
      name = JSON.parse(`"${raw.toString('utf8')}"`);
    } catch {
      name = raw.toString('utf8');
    }
    idx.groupNames.push(name);
    currentGroup = idx.groupNames.length - 1;
  };

  for (let buf = src.next(); buf !== null; buf = src.next()) {
    const n = buf.length;
    let nextNl = -1; // position of the first newline at or after some earlier position (n: none left in this chunk)
    let p = 0;
    while (p < n) {
      if (inString) {
        const from = p;
        if (escapePending) {
          // The byte after a backslash that ended the previous chunk.
          escapePending = false;
          if (buf[p] === NL) {
            line++;
            lineStart = base + p + 1;
          }
          p++;
          if (stringIsKey) keyParts.push(Buffer.from(buf.subarray(from, p)));
          continue;
        }
        let end = -1; // the closing quote, when found in this chunk
        let k = p;
        if (!longString) {
          // Short strings (keys, ids, paths): byte by byte.
          const lim = p + SHORT_STRING < n ? p + SHORT_STRING : n;
          let c = 0;
          while (k < lim) {
            c = buf[k];
            if (c === QUOTE || c === BACKSLASH || c === NL) break;
            k++;
          }
          if (k < lim) {
            if (c === QUOTE) end = k;
            else if (c === BACKSLASH) {
              if (k + 1 < n) {
                if (buf[k + 1] === NL) {
                  line++;
                  lineStart = base + k + 2;
                }
                p = k + 2;
              } else {
                escapePending = true;
                p = n;
              }
              if (stringIsKey) keyParts.push(Buffer.from(buf.subarray(from, p)));
              continue;
            } else {
              // A raw newline inside a string (not JSON, but its lines still count).
              line++;
              lineStart = base + k + 1;
              p = k + 1;
              if (stringIsKey) keyParts.push(Buffer.from(buf.subarray(from, p)));
              continue;
            }
          } else if (k === n) {
            // The chunk ended inside a short string.
            p = n;
            if (stringIsKey) keyParts.push(Buffer.from(buf.subarray(from, p)));
            continue;
          } else longString = true;
        }
        if (end < 0) {
          // A long string: its closing quote is searched natively (to the end of the string, or of the chunk).
          for (;;) {
            let q = buf.indexOf(QUOTE, k);
            if (q === -1) q = n;
            // Newlines inside it (only in broken files): the cached next newline says whether to look.
            if (nextNl < k) {
              const m = buf.indexOf(NL, k);
              nextNl = m === -1 ? n : m;
            }
            while (nextNl < q) {
              line++;
              lineStart = base + nextNl + 1;
              const m = buf.indexOf(NL, nextNl + 1);
              nextNl = m === -1 ? n : m;
            }
            let r = q - 1,
              run = 0;
            while (r >= k && buf[r] === BACKSLASH) {
              run++;
              r--;
            }
            if (q === n) {
              // The string continues into the next chunk; an odd run of trailing backslashes escapes its first byte.
              escapePending = (run & 1) === 1;
              break;
            }
            if ((run & 1) === 0) {
              end = q;
              break;
            }
            k = q + 1; // an escaped quote: the string goes on
          }
          if (end < 0) {
            p = n;
            if (stringIsKey) keyParts.push(Buffer.from(buf.subarray(from, p)));
            continue;
          }
        }
        // The string closes at `end`.
        inString = false;
        longString = false;
        p = end + 1;
        if (depth === recordDepth && recStart >= 0) {
          recEnd = base + p;
          recClosed = true;
        }
        if (stringIsKey) {
          keyParts.push(Buffer.from(buf.subarray(from, end)));
          endKey();
        }
        continue;
      }
      const b = buf[p];
      if (depth > recordDepth) {
        // Inside a record: only strings, brackets and newlines matter.
        if (b === QUOTE) inString = true;
        else if (b === NL) {
          line++;
          lineStart = base + p + 1;
        } else if (b === LBRACE || b === LBRACK) depth++;
        else if (b === RBRACE || b === RBRACK) {
          depth--;
          if (depth === recordDepth) {
            recEnd = base + p + 1;
            recClosed = true;
          }
        }
        p++;
        continue;
      }
      if (inLiteral) {
        // A bare literal record that the previous chunk cut.
        while (p < n && !isWs(buf[p]) && buf[p] !== COMMA && buf[p] !== RBRACK && buf[p] !== RBRACE) {
          p++;
          recEnd = base + p;
        }
        if (p < n) {
          inLiteral = false;
          recClosed = true;
        }
        continue;
      }
      if (b === SPACE || b === CR || b === TAB) {
        p++;
        continue;
      }
      if (b === NL) {
        line++;
        lineStart = base + p + 1;
        p++;
        continue;
      }
      if (!started) {
        const want = container === 'array' ? LBRACK : LBRACE;
        if (b !== want) {
          err(base + p, `expected "${String.fromCharCode(want)}" at the start of the file, found "${String.fromCharCode(b)}"`);
          return finishRead(src, idx, base + n);
        }
        started = true;
        depth = 1;
        p++;
        continue;
      }
      if (finished) {
        if (!trailingGarbageReported) {
          err(base + p, `unexpected "${String.fromCharCode(b)}" after the closing bracket of the file`);
          trailingGarbageReported = true;
        }
        p++;
        continue;
      }
      if (depth === recordDepth) {
        // Between or at the start of records.
        if (b === COMMA) {
          if (recStart < 0) err(base + p, 'unexpected "," (empty record)');
          closeRecord();
          p++;
          continue;
        }
        if (b === RBRACK || (b === RBRACE && container === 'array')) {
          if (b === RBRACE) {
            err(base + p, 'unexpected "}" where a record or "]" was expected');
            p++;
            continue;
          }
          closeRecord();
          depth--;
          if (depth === 0) finished = true;
          p++;
          continue;
        }
        if (recClosed) {
          // A new value starts while the previous record is complete: a missing comma.
          err(base + p, 'missing "," between records');
          closeRecord();
        }
        if (recStart < 0) {
          recStart = base + p;
          recLine = line;
          recIdHash = b === LBRACE ? leadingIdHash(buf, p, n, field) : NaN;
        }
        if (b === QUOTE) {
          inString = true;
          p++;
          continue;
        }
        if (b === LBRACE || b === LBRACK) {
          depth++;
          p++;
          continue;
        }
        // A bare literal (number, true, false, null) as a record.
        recEnd = base + p + 1;
        p++;
        while (p < n && !isWs(buf[p]) && buf[p] !== COMMA && buf[p] !== RBRACK && buf[p] !== RBRACE) {
          p++;
          recEnd = base + p;
        }
        recClosed = p < n;
        inLiteral = p === n; // the chunk may have cut it: it goes on in the next one
        continue;
      }
      // Grouped container, depth 1: keys, colons, commas, and arrays of records.
      if (b === QUOTE) {
        inString = true;
        stringIsKey = true;
        keyParts = [];
        p++;
        continue;
      }
      if (b === COLON || b === COMMA) {
        p++;
        continue;
      }
      if (b === LBRACK) {
        depth++;
        p++;
        continue;
      }
      if (b === RBRACE) {
        depth--;
        finished = true;
        p++;
        continue;
      }
      err(base + p, `group "${idx.groupNames[currentGroup] ?? '?'}" is not an array of records`);
      return finishRead(src, idx, base + n);
    }
    base += n;
    if (first) {
      idx.reserveFor(base - start, src.total);
      first = false;
    }
    onProgress?.(idx.count, base, idx);
  }
  idx.bytes = base;
  if (!finished) {
    if (!started) idx.addError({ index: 0, line, column: base - lineStart + 1, offset: base, message: 'the file is empty' });
    else {
      const what = recStart >= 0 ? `record ${idx.count} (line ${recLine}) is not closed` : 'the closing bracket is missing';
      idx.addError({ index: idx.count, line, column: base - lineStart + 1, offset: base, message: `unexpected end of file: ${what}` });
      // A truncated final record is not a usable record; a complete one before the missing "]" is.
      if (recStart >= 0 && recClosed && !inString && depth === recordDepth) closeRecord();
    }
  }
  return idx;
}

// ---------------------------------------------------------------------------------------------
// The JSON-array scanner (ARCHITECTURE.md › Core, "Scanning on two cores"). The same rules as the
// structured scanner above for a top-level array, in a form that is fast and can be resumed: the
// state lives in an `ArrayScan`, a chunk is scanned with it loaded into locals.
//
// It also scans the second half of a file from an arbitrary offset (a "tail", in a worker thread).
// There the depth is relative (0 at the first byte) and the depth of the records is not known: each
// new lowest depth is a candidate level, read as if it were the records' depth. A level counts
// records from its first comma on (where it "joins"); the head scan pauses after the first comma
// between records at or after the split, and the level that joined just past that comma continues
// it exactly — both are outside any string, at the records' depth, with no record open, and every
// newline is counted alike, so what follows is scanned the same (see `joinTail`).
// ---------------------------------------------------------------------------------------------

/** Candidate levels a tail keeps before it gives up (each is a closing bracket below all before it). */
const MAX_LEVELS = 64;

/** One candidate depth of a tail scan: its records if that depth is the array's. */
interface Level {
  cols: Columns | undefined;
  errors: IndexError[];
  omitted: number;
  /** Offset just past the level's first comma, where it joins the head scan; -1 before. */
  joinAt: number;
  /** Tail-relative line (1 = the tail's first) at `joinAt`. */
  joinLine: number;
  /**
   * open: still the lowest level at the end; finished: its "]" came (what follows is trailing text);
   * diverged: a "}" at this level (the array scanner would report it and stay at this depth).
   */
  end: 'open' | 'finished' | 'diverged';
  /** Open at the end of the file: the end-of-file fault, its numbers relative to the tail. */
  eof?: { offset: number; line: number; lineStart: number; open?: { index: number; line: number } };
}

class ArrayScan {
  depth = 0;
  /** Depth of records: 1 for a whole file, the current candidate in a tail. */
  level: number;
  line = 1;
  lineStart: number;
  started: boolean;
  finished = false;
  /** A fault that ends the scan (no "[" at the start). */
  fatal = false;
  garbageReported = false;
  inString = false;
  longString = false;
  escapePending = false;
  inLiteral = false;
  recStart = -1;
  recLine = 0;
  recEnd = -1;
  recClosed = false;
  recIdHash = NaN;
  /** Head scan: pause just after the first comma between records at or after this offset. */
  pauseAfter = Infinity;
  /** Tail scan: the level being read has not met its first comma (records are not kept). */
  waiting = false;
  levels: Level[] = [];
  cur: Level | undefined;
  /** A finished level waiting for the first byte after its "]" (trailing text is a fault). */
  garbageFor: Level | undefined;
  gaveUp = false;

  constructor(
    /** The index records go to (a whole file or a head); undefined in a tail (records go to levels). */
    readonly idx: BuiltIndex | undefined,
    readonly field: Buffer,
    start: number,
  ) {
    this.lineStart = start;
    if (idx) {
      this.level = 1;
      this.started = false;
    } else {
      this.level = 0;
      this.started = true;
      this.newLevel();
    }
  }

  get tail(): boolean {
    return this.idx === undefined;
  }

  private newLevel(): void {
    if (this.levels.length >= MAX_LEVELS) this.gaveUp = true;
    const l: Level = { cols: undefined, errors: [], omitted: 0, joinAt: -1, joinLine: 0, end: 'open' };
    this.levels.push(l);
    this.cur = l;
    this.waiting = true;
    this.recStart = -1;
    this.recClosed = false;
  }

  /** Tail: a closing bracket took the depth below the current level, which ends as `end`. */
  below(depth: number, end: 'finished' | 'diverged'): number {
    const l = this.cur as Level;
    l.end = end;
    this.garbageFor = end === 'finished' && !this.waiting ? l : undefined;
    this.newLevel();
    this.level = depth;
    return depth;
  }

  /** Tail: the current level's first comma. */
  join(at: number, line: number): void {
    const l = this.cur as Level;
    this.waiting = false;
    l.joinAt = at;
    l.joinLine = line;
    this.recStart = -1;
    this.recClosed = false;
  }

  get count(): number {
    return this.idx ? this.idx.count : (this.cur?.cols?.count ?? 0);
  }

  /** Closes the open record (keeps it unless the level is waiting). */
  close(): void {
    if (this.recStart < 0) return;
    if (!this.waiting) {
      const cols = this.idx ? this.idx.cols : ((this.cur as Level).cols ??= new Columns(false));
      cols.add(this.recStart, this.recEnd, this.recLine, this.recIdHash, 0);
    }
    this.recStart = -1;
    this.recClosed = false;
  }

  err(offset: number, line: number, lineStart: number, message: string): void {
    if (this.waiting) return;
    const e: IndexError = { index: this.count, line, column: offset - lineStart + 1, offset, message };
    if (this.idx) this.idx.addError(e);
    else levelError(this.cur as Level, e);
  }

  /** Tail: the first byte after a finished level's "]" is trailing text (a fault, if that level is the array's). */
  garbage(offset: number, line: number, lineStart: number, b: number): void {
    const l = this.garbageFor as Level;
    this.garbageFor = undefined;
    const message = `unexpected "${String.fromCharCode(b)}" after the closing bracket of the file`;
    levelError(l, { index: l.cols?.count ?? 0, line, column: offset - lineStart + 1, offset, message });
  }
}

function levelError(l: Level, e: IndexError): void {
  if (l.errors.length < MAX_INDEX_ERRORS) l.errors.push(e);
  else l.omitted++;
}

/**
 * Scans the source of `r` from where it stopped: chunk after chunk until the end, a fatal fault, or
 * just past the pause comma (then true). The hot paths — inside a record, inside a string — keep their
 * state in locals.
 */
function runArray(r: ArrayRun): boolean {
  const s = r.s;
  let buf = r.buf;
  let n = r.n;
  let p = r.p;
  let base = r.base;
  let paused = false;
  let depth = s.depth;
  let level = s.level;
  let line = s.line;
  let lineStart = s.lineStart;
  let inString = s.inString;
  let longString = s.longString;
  let escapePending = s.escapePending;
  let nextNl = -1; // the first newline at or after some earlier position (n: none left in this chunk)
  for (;;) {
    if (p >= n) {
      // The next chunk (the loop stays in this function across chunks: its optimised code keeps running).
      if (n > 0) {
        base += n;
        s.depth = depth;
        if (!r.chunkDone(base)) {
          n = 0;
          p = 0;
          break;
        }
      }
      const next = r.src.next();
      if (next === null) {
        n = 0;
        p = 0;
        break;
      }
      buf = next;
      n = next.length;
      nextNl = -1;
      // Carried over from the previous chunk: the byte after a backslash that ended it is skipped (a
      // newline there still counts). Done at every chunk's start, without a branch: code the
      // optimiser has never seen run deoptimises the whole scan the first time it runs, mid-file
      // (ARCHITECTURE.md › Core, "Scanning on two cores").
      const skip = escapePending ? 1 : 0;
      const nl = buf[0] === NL ? skip : 0;
      line += nl;
      lineStart += nl * (base + 1 - lineStart);
      p = skip;
      escapePending = false;
      continue;
    }
    if (inString) {
      let end = -1; // the closing quote, when found in this chunk
      let k = p;
      if (!longString) {
        // Short strings (keys, ids, paths): byte by byte; most bytes are above the backslash.
        const lim = p + SHORT_STRING < n ? p + SHORT_STRING : n;
        let c = 0;
        while (k < lim) {
          c = buf[k];
          if (c <= BACKSLASH && (c === QUOTE || c === BACKSLASH || c === NL)) break;
          k++;
        }
        if (k < lim) {
          if (c === QUOTE) end = k;
          else if (c === BACKSLASH) {
            if (k + 1 < n) {
              if (buf[k + 1] === NL) {
                line++;
                lineStart = base + k + 2;
              }
              p = k + 2;
            } else {
              escapePending = true;
              p = n;
            }
            continue;
          } else {
            // A raw newline inside a string (not JSON, but its lines still count).
            line++;
            lineStart = base + k + 1;
            p = k + 1;
            continue;
          }
        } else if (k === n) {
          p = n; // the chunk ended inside a short string
          continue;
        } else longString = true;
      }
      if (end < 0) {
        // A long string: its closing quote is searched natively; a quote is escaped when an odd run of backslashes precedes it.
        for (;;) {
          let q = buf.indexOf(QUOTE, k);
          if (q === -1) q = n;
          if (nextNl < k) {
            const m = buf.indexOf(NL, k);
            nextNl = m === -1 ? n : m;
          }
          while (nextNl < q) {
            line++;
            lineStart = base + nextNl + 1;
            const m = buf.indexOf(NL, nextNl + 1);
            nextNl = m === -1 ? n : m;
          }
          let r = q - 1,
            run = 0;
          while (r >= k && buf[r] === BACKSLASH) {
            run++;
            r--;
          }
          // Whether the quote (or, at the chunk's end, the next chunk's first byte) is escaped; worked
          // out before the test for the chunk's end so that path adds no operation of its own.
          const escaped = (run & 1) === 1;
          if (q === n) {
            escapePending = escaped; // the string goes on in the next chunk
            break;
          }
          if (!escaped) {
            end = q;
            break;
          }
          k = q + 1; // an escaped quote: the string goes on
        }
        if (end < 0) {
          p = n;
          continue;
        }
      }
      inString = false;
      longString = false;
      p = end + 1;
      if (depth === level && s.recStart >= 0) {
        s.recEnd = base + p;
        s.recClosed = true;
      }
      continue;
    }
    if (depth > level) {
      // Inside a record: only strings, brackets and newlines matter ("[" | 0x20 is "{", "]" | 0x20 is "}").
      while (p < n) {
        const b = buf[p];
        if (b === QUOTE) {
          inString = true;
          p++;
          break;
        }
        if (b === NL) {
          line++;
          p++;
          lineStart = base + p;
          while (p < n && buf[p] === SPACE) p++;
          continue;
        }
        const c = b | 0x20;
        if (c === LBRACE) depth++;
        else if (c === RBRACE) {
          depth--;
          if (depth === level) {
            p++;
            s.recEnd = base + p;
            s.recClosed = true;
            break;
          }
        }
        p++;
      }
      continue;
    }
    if (s.inLiteral) {
      // A bare literal record that the previous chunk cut.
      while (p < n) {
        const c = buf[p];
        if (c === SPACE || c === NL || c === CR || c === TAB || c === COMMA || c === RBRACK || c === RBRACE) break;
        p++;
        s.recEnd = base + p;
      }
      if (p < n) {
        s.inLiteral = false;
        s.recClosed = true;
      }
      continue;
    }
    const b = buf[p];
    if (b === SPACE || b === CR || b === TAB) {
      p++;
      continue;
    }
    if (b === NL) {
      line++;
      p++;
      lineStart = base + p;
      continue;
    }
    if (!s.started) {
      if (b !== LBRACK) {
        s.err(base + p, line, lineStart, `expected "[" at the start of the file, found "${String.fromCharCode(b)}"`);
        s.fatal = true;
        base += n;
        n = 0;
        p = 0;
        break;
      }
      s.started = true;
      depth = 1;
      p++;
      continue;
    }
    if (s.finished) {
      if (!s.garbageReported) {
        s.err(base + p, line, lineStart, `unexpected "${String.fromCharCode(b)}" after the closing bracket of the file`);
        s.garbageReported = true;
      }
      p++;
      continue;
    }
    if (s.garbageFor) s.garbage(base + p, line, lineStart, b);
    // Between records or at the start of one (depth === level).
    if (b === COMMA) {
      p++;
      if (s.waiting) {
        s.join(base + p, line);
        continue;
      }
      if (s.recStart < 0) s.err(base + p - 1, line, lineStart, 'unexpected "," (empty record)');
      s.close();
      if (base + p > s.pauseAfter) {
        paused = true;
        break;
      }
      continue;
    }
    if (b === RBRACK) {
      s.close();
      depth--;
      p++;
      if (s.tail) level = s.below(depth, 'finished');
      else s.finished = true;
      continue;
    }
    if (b === RBRACE) {
      if (s.tail) {
        depth--;
        p++;
        level = s.below(depth, 'diverged');
        continue;
      }
      s.err(base + p, line, lineStart, 'unexpected "}" where a record or "]" was expected');
      p++;
      continue;
    }
    if (s.recClosed) {
      // A new value starts while the previous record is complete: a missing comma.
      s.err(base + p, line, lineStart, 'missing "," between records');
      s.close();
    }
    if (s.recStart < 0) {
      s.recStart = base + p;
      s.recLine = line;
      s.recIdHash = b === LBRACE && !s.waiting ? leadingIdHash(buf, p, n, s.field) : NaN;
    }
    if (b === QUOTE) {
      inString = true;
      p++;
      continue;
    }
    if (b === LBRACE || b === LBRACK) {
      depth++;
      p++;
      continue;
    }
    // A bare literal (number, true, false, null) as a record.
    s.recEnd = base + p + 1;
    p++;
    while (p < n) {
      const c = buf[p];
      if (c === SPACE || c === NL || c === CR || c === TAB || c === COMMA || c === RBRACK || c === RBRACE) break;
      p++;
      s.recEnd = base + p;
    }
    s.recClosed = p < n;
    s.inLiteral = p === n; // the chunk may have cut it: it goes on in the next one
  }
  s.depth = depth;
  s.level = level;
  s.line = line;
  s.lineStart = lineStart;
  s.inString = inString;
  s.longString = longString;
  s.escapePending = escapePending;
  r.buf = buf;
  r.n = n;
  r.p = p;
  r.base = base;
  return paused;
}

/** Feeds a source to an array scan; it stops at the end of the source or at the pause point, and resumes from there. */
class ArrayRun {
  buf: Buffer = Buffer.alloc(0);
  /** Length of the current chunk (0: none yet, or the source ended). */
  n = 0;
  /** Position in the current chunk. */
  p = 0;
  private first = true;
  /** File offset of the current chunk's first byte (at the end: the end offset). */
  base: number;

  constructor(
    readonly src: ByteSource,
    readonly s: ArrayScan,
    private readonly start: number,
    private readonly onProgress?: (records: number, bytes: number) => void,
  ) {
    this.base = start;
  }

  /** Offset just past the comma the scan paused at. */
  get at(): number {
    return this.base + this.p;
  }

  /** Scans on; true when it paused (call again to go on), false at the end of the source. */
  run(): boolean {
    const paused = runArray(this);
    if (!paused && this.s.fatal) {
      // A fatal fault: the rest is only counted, so that `bytes` is the file size.
      for (let b = this.src.next(); b !== null; b = this.src.next()) this.base += b.length;
    }
    return paused;
  }

  /** After each chunk (the file offset now at its end): progress; false stops the scan. */
  chunkDone(end: number): boolean {
    const s = this.s;
    if (this.first) {
      this.first = false;
      if (s.idx) s.idx.reserveFor(end - this.start, this.src.total);
      else if (s.cur && !s.waiting) {
        const cols = (s.cur.cols ??= new Columns(false));
        const estimate = Math.ceil((cols.count * this.src.total * 1.1) / (end - this.start)) + 64;
        cols.reserve(Math.min(estimate, Math.ceil(this.src.total / 2) + 1));
      }
    }
    if (!s.fatal) this.onProgress?.(s.count, end);
    return !s.gaveUp;
  }
}

/** The end of the file in a whole or head scan: the faults an unfinished array leaves (as the structured scanner). */
function finishArray(idx: BuiltIndex, s: ArrayScan, bytes: number): RecordIndex {
  idx.bytes = bytes;
  if (s.fatal || s.finished) return idx;
  if (!s.started) {
    idx.addError({ index: 0, line: s.line, column: bytes - s.lineStart + 1, offset: bytes, message: 'the file is empty' });
    return idx;
  }
  const what = s.recStart >= 0 ? `record ${idx.count} (line ${s.recLine}) is not closed` : 'the closing bracket is missing';
  idx.addError({ index: idx.count, line: s.line, column: bytes - s.lineStart + 1, offset: bytes, message: `unexpected end of file: ${what}` });
  // A truncated final record is not a usable record; a complete one before the missing "]" is.
  if (s.recStart >= 0 && s.recClosed && !s.inString && s.depth === s.level) s.close();
  return idx;
}

/** A whole JSON array, in one thread. */
function scanArray(src: ByteSource, start: number, field: Buffer, onProgress?: Progress): RecordIndex {
  warmUp('array', src.total, field);
  const idx = new BuiltIndex('array');
  const s = new ArrayScan(idx, field, start);
  const run = new ArrayRun(src, s, start, onProgress && ((records, bytes) => onProgress(records, bytes, idx)));
  run.run();
  return finishArray(idx, s, run.base);
}

// ---------------------------------------------------------------------------------------------
// Two halves: the head scan in this thread, the tail in a worker (parallelScan.ts), then a join.
// ---------------------------------------------------------------------------------------------

/** One candidate level of a tail, as sent back by the worker (columns transferred, not copied). */
export interface TailLevel {
  joinAt: number;
  joinLine: number;
  end: 'open' | 'finished';
  count: number;
  starts: Float64Array;
  lengths: Uint32Array | Float64Array;
  lines: Uint32Array | Float64Array;
  hashes: Uint32Array;
  hashKnown: Uint8Array;
  errors: IndexError[];
  omitted: number;
  eof?: Level['eof'];
}

/** What a tail scan found: the levels that joined and did not diverge (JSONL: one, joined at the split). */
export interface TailResult {
  /** End offset of the file as the tail read it. */
  bytes: number;
  levels: TailLevel[];
}

/** What the tail scan needs; it reads `fd` itself (a worker shares the process's descriptors). */
export interface TailJob {
  container: 'array' | 'jsonl';
  /** First byte of the tail (a split point from `splitPoint`). */
  from: number;
  /** Where the head's chunks start (the chunk grid's origin: 0, or 3 after a BOM). */
  origin: number;
  chunkSize: number;
  idField: string;
}

function tailLevel(l: Level): TailLevel {
  const c = l.cols ?? new Columns(false, 0);
  return {
    joinAt: l.joinAt,
    joinLine: l.joinLine,
    end: l.end === 'finished' ? 'finished' : 'open',
    count: c.count,
    starts: c.starts,
    lengths: c.lengths,
    lines: c.lines,
    hashes: c.hashes,
    hashKnown: c.hashKnown,
    errors: l.errors,
    omitted: l.omitted,
    eof: l.eof,
  };
}

/** The buffers of a tail's columns, to transfer them to another thread. */
export function tailTransfer(t: TailResult): ArrayBuffer[] {
  return t.levels.flatMap((l) => [l.starts, l.lengths, l.lines, l.hashes, l.hashKnown].map((a) => a.buffer as ArrayBuffer));
}

/**
 * Scans the tail of a file: `job.from` to the end of `src`. `onChunk` is told the records and bytes
 * so far after each chunk; when it returns false the scan stops (its result is then not used).
 */
export function scanTail(src: ByteSource, job: TailJob, onChunk?: (records: number, bytes: number) => boolean): TailResult | undefined {
  const field = Buffer.from(job.idField, 'utf8');
  if (job.container === 'jsonl') {
    warmUp('jsonl', src.total, field);
    const idx = new BuiltIndex('jsonl');
    let r: { bytes: number };
    try {
      r = scanLinesInto(idx, src, job.from, field, 1, true, (records, bytes) => {
        if (onChunk && !onChunk(records, bytes - job.from)) throw new TailStopped();
      });
    } catch (e) {
      if (e instanceof TailStopped) return undefined;
      throw e;
    }
    const l: Level = { cols: idx.cols, errors: [], omitted: 0, joinAt: job.from, joinLine: 1, end: 'open' };
    return { bytes: r.bytes, levels: [tailLevel(l)] };
  }
  warmUp('array', src.total, field);
  const s = new ArrayScan(undefined, field, job.from);
  let stopped = false;
  const run = new ArrayRun(src, s, job.from, (records, bytes) => {
    if (onChunk && !onChunk(records, bytes - job.from)) {
      stopped = true;
      s.gaveUp = true;
    }
  });
  run.run();
  if (stopped || s.gaveUp) return undefined;
  const bytes = run.base;
  const l = s.cur as Level;
  if (l.end === 'open' && !s.waiting) {
    // The end of the file inside the array, if this level is the array's (as finishArray).
    l.eof = { offset: bytes, line: s.line, lineStart: s.lineStart, open: s.recStart >= 0 ? { index: s.count, line: s.recLine } : undefined };
    if (s.recStart >= 0 && s.recClosed && !s.inString && s.depth === s.level) s.close();
  }
  return { bytes, levels: s.levels.filter((x) => x.joinAt >= 0 && x.end !== 'diverged').map(tailLevel) };
}

class TailStopped extends Error {}

/**
 * Continues a head scan paused at `at` (just past a comma between records, or the split itself for
 * JSONL) with the tail level that joined there, if one did: its records, lines shifted to absolute,
 * faults renumbered. False when no level joined there (the head then scans on by itself).
 */
function joinTail(idx: BuiltIndex, at: number, line: number, lineStart: number, t: TailResult): boolean {
  const l = t.levels.find((x) => x.joinAt === at);
  if (!l) return false;
  const lineOffset = line - l.joinLine;
  // Columns on the tail's first line were counted from the split; that line started where the head says.
  const fix = (e: IndexError): IndexError => ({
    ...e,
    index: e.index + idx.count,
    line: e.line + lineOffset,
    column: e.line === 1 ? e.offset - lineStart + 1 : e.column,
  });
  const base = idx.count;
  for (const e of l.errors) idx.addError(fix(e));
  idx.errorsOmitted += l.omitted;
  idx.cols.append(l, lineOffset);
  if (l.eof) {
    const e = l.eof;
    const what = e.open ? `record ${base + e.open.index} (line ${e.open.line + lineOffset}) is not closed` : 'the closing bracket is missing';
    idx.addError({
      index: base + (e.open?.index ?? l.count),
      line: e.line + lineOffset,
      column: e.offset - (e.line === 1 ? lineStart : e.lineStart) + 1,
      offset: e.offset,
      message: `unexpected end of file: ${what}`,
    });
  }
  idx.bytes = t.bytes;
  return true;
}

/** A tail being scanned elsewhere (a worker thread, or in this thread for tests). */
export interface TailHandle {
  /** Records and bytes the tail has scanned so far. */
  progress(): { records: number; bytes: number };
  /** Waits for the tail (calling `onWait` now and then while it waits); undefined if it failed. */
  result(onWait?: () => void): TailResult | undefined;
  /** The result is not wanted: stop the tail. */
  cancel(): void;
}

/**
 * Where to split a file for two threads, or -1: just past the first newline at or after `target`
 * (default: the middle; indexFd passes tailSplitTarget, past the middle by the worker's start) — right
 * after a raw newline a valid file is outside any string. An array written on one line has none: it
 * splits at a comma after a closing brace ("},"), which is almost always between values; if it is
 * not, no tail level joins and the head scans on alone.
 */
export function splitPoint(
  read: (buf: Buffer, at: number) => number,
  start: number,
  size: number,
  container: 'array' | 'jsonl',
  target = start + Math.floor((size - start) / 2),
): number {
  const mid = Math.max(start, Math.min(target, size - 1));
  const win = Buffer.allocUnsafe(1 << 16);
  for (let at = mid; at < size && at < mid + (1 << 24); at += win.length) {
    const n = read(win, at);
    if (n <= 0) break;
    const nl = win.subarray(0, n).indexOf(NL);
    if (nl >= 0) return at + nl + 1 < size ? at + nl + 1 : -1;
    if (container === 'array') {
      for (let k = 1; k < n; k++) if (win[k] === COMMA && win[k - 1] === RBRACE) return at + k;
    }
  }
  return -1;
}

/** Indexes with a head scan here and `tail` scanning from `split` on: the same result as one scan. */
function scanSplit(
  container: 'array' | 'jsonl',
  source: (from: number, end: number) => ByteSource,
  start: number,
  split: number,
  field: Buffer,
  tail: TailHandle,
  onProgress?: Progress,
): RecordIndex {
  const idx = new BuiltIndex(container);
  // Records so far are the head's (final in `idx`); bytes count the tail's too.
  const progress = onProgress && ((records: number, bytes: number): void => onProgress(records, bytes + tail.progress().bytes, idx));
  const wait = (): TailResult | undefined => tail.result(progress && (() => progress(idx.count, split)));
  try {
    if (container === 'jsonl') {
      warmUp('jsonl', split - start, field);
      const head = scanLinesInto(idx, source(start, split), start, field, 1, true, progress);
      if (joinTail(idx, split, head.line, split, wait() ?? { bytes: 0, levels: [] })) idx.tail = 'joined';
      else {
        // The tail failed: scan it here.
        idx.tail = 'alone';
        scanLinesInto(idx, source(split, Infinity), split, field, head.line, false, onProgress);
      }
      onProgress?.(idx.count, idx.bytes, idx);
      return idx;
    }
    warmUp('array', split - start, field);
    const s = new ArrayScan(idx, field, start);
    s.pauseAfter = split;
    const run = new ArrayRun(source(start, Infinity), s, start, progress);
    if (run.run()) {
      const t = wait();
      if (t && joinTail(idx, run.at, s.line, s.lineStart, t)) {
        idx.tail = 'joined';
        onProgress?.(idx.count, idx.bytes, idx);
        return idx;
      }
      idx.tail = 'alone';
      s.pauseAfter = Infinity;
      run.run();
    }
    finishArray(idx, s, run.base);
    onProgress?.(idx.count, idx.bytes, idx);
    return idx;
  } finally {
    tail.cancel();
  }
}

/** After a fatal structural fault: consume the rest so `bytes` is the file size. */
function finishRead(src: ByteSource, idx: BuiltIndex, base: number): RecordIndex {
  let total = base;
  for (let buf = src.next(); buf !== null; buf = src.next()) total += buf.length;
  idx.bytes = total;
  return idx;
}
