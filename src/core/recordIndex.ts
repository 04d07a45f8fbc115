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

function fileSource(fd: number, start: number, chunkSize: number): ByteSource {
  let pos = start;
  let size = 0;
  try {
    size = fs.fstatSync(fd).size;
  } catch {
    /* no estimate */
  }
  const buf = Buffer.allocUnsafe(chunkSize);
  return {
    total: Math.max(0, size - start),
    next() {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      pos += n;
      return n === 0 ? null : buf.subarray(0, n);
    },
  };
}

/** Views into the bytes in memory, no copy. */
function bufferSource(data: Buffer, start: number, chunkSize: number): ByteSource {
  let pos = start;
  return {
    total: data.length - start,
    next() {
      if (pos >= data.length) return null;
      const end = Math.min(data.length, pos + chunkSize);
      const chunk = data.subarray(pos, end);
      pos = end;
      return chunk;
    },
  };
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
  return scan(fileSource(fd, bom, opts.chunkSize ?? CHUNK), container, bom, opts.idField, opts.onProgress);
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

/** `start` is the offset of the first byte the source yields (3 after a UTF-8 BOM). */
function scan(src: ByteSource, container: Container, start: number, idField = 'id', onProgress?: Progress): RecordIndex {
  const field = Buffer.from(idField, 'utf8');
  return container === 'jsonl' ? scanLines(src, start, field, onProgress) : scanStructured(src, container, start, field, onProgress);
}

/** JSONL: every non-blank line is a record. Uses native indexOf for newline search. */
function scanLines(src: ByteSource, start: number, field: Buffer, onProgress?: Progress): RecordIndex {
  const idx = new BuiltIndex('jsonl');
  const cols = idx.cols;
  let base = start; // file offset of buf[0]
  let line = 1;
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
      idx.reserveFor(base - start, src.total);
      first = false;
    }
    onProgress?.(idx.count, base, idx);
  }
  if (firstContent >= 0) cols.add(firstContent, lastContentEnd, line, lineIdHash, 0);
  idx.bytes = base;
  return idx;
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

/** After a fatal structural fault: consume the rest so `bytes` is the file size. */
function finishRead(src: ByteSource, idx: BuiltIndex, base: number): RecordIndex {
  let total = base;
  for (let buf = src.next(); buf !== null; buf = src.next()) total += buf.length;
  idx.bytes = total;
  return idx;
}
