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

/** Growable numeric column (Float64 so offsets beyond 4 GiB stay exact). */
class Column {
  data: Float64Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Float64Array(capacity);
  }
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

class BuiltIndex implements RecordIndex {
  starts = new Column();
  ends = new Column();
  lines = new Column();
  idHashes = new Column();
  groupIds: number[] = [];
  groupNames: string[] = [];
  errors: IndexError[] = [];
  errorsOmitted = 0;
  bytes = 0;
  constructor(public container: Container) {}
  get count(): number {
    return this.ends.length;
  }
  start(i: number): number {
    this.check(i);
    return this.starts.data[i];
  }
  end(i: number): number {
    this.check(i);
    return this.ends.data[i];
  }
  line(i: number): number {
    this.check(i);
    return this.lines.data[i];
  }
  idHash(i: number): number {
    this.check(i);
    return this.idHashes.data[i];
  }
  group(i: number): string | undefined {
    if (this.container !== 'grouped') return undefined;
    this.check(i);
    return this.groupNames[this.groupIds[i]];
  }
  addError(e: IndexError): void {
    if (this.errors.length < MAX_INDEX_ERRORS) this.errors.push(e);
    else this.errorsOmitted++;
  }
  private check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw new RangeError(`record ${i} is out of range (0–${this.count - 1})`);
  }
}

/** A source of bytes read in order, in chunks. */
interface ByteSource {
  /** Fills `buf` from the current position; returns the number of bytes read (0 at end). */
  read(buf: Buffer): number;
}

function fileSource(fd: number, start: number): ByteSource {
  let pos = start;
  return {
    read(buf) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      pos += n;
      return n;
    },
  };
}

function bufferSource(data: Buffer, start: number): ByteSource {
  let pos = start;
  return {
    read(buf) {
      const n = Math.min(buf.length, data.length - pos);
      data.copy(buf, 0, pos, pos + n);
      pos += n;
      return n;
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
  /** Called after each chunk with the records indexed so far and the bytes read (a worker's progress). */
  onProgress?: (records: number, bytes: number) => void;
}

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
  return scan(fileSource(fd, bom), container, opts.chunkSize ?? CHUNK, bom, opts.idField, opts.onProgress);
}

/** Indexes bytes in memory (an editor's document, a test fixture). */
export function indexBuffer(data: Buffer, opts: IndexOptions = {}): RecordIndex {
  const container = opts.container ?? detectContainer(data.subarray(0, 65536), opts.fileName ?? '');
  const bom = hasBom(data) ? 3 : 0;
  return scan(bufferSource(data, bom), container, opts.chunkSize ?? CHUNK, bom, opts.idField, opts.onProgress);
}

function hasBom(b: Buffer): boolean {
  return b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
}

/** `start` is the offset of the first byte the source yields (3 after a UTF-8 BOM). */
function scan(src: ByteSource, container: Container, chunkSize: number, start: number, idField = 'id', onProgress?: Progress): RecordIndex {
  const field = Buffer.from(idField, 'utf8');
  return container === 'jsonl' ? scanLines(src, chunkSize, start, field, onProgress) : scanStructured(src, container, chunkSize, start, field, onProgress);
}

type Progress = (records: number, bytes: number) => void;

/** JSONL: every non-blank line is a record. Uses native indexOf for newline search. */
function scanLines(src: ByteSource, chunkSize: number, start: number, field: Buffer, onProgress?: Progress): RecordIndex {
  const idx = new BuiltIndex('jsonl');
  const buf = Buffer.allocUnsafe(chunkSize);
  let base = start; // file offset of buf[0]
  let line = 1;
  let firstContent = -1; // file offset of first non-ws byte in the current line
  let lastContentEnd = -1; // file offset one past the last non-ws byte in the current line
  let lineIdHash = NaN;
  for (;;) {
    const n = src.read(buf);
    if (n === 0) break;
    let p = 0;
    while (p < n) {
      const nl = buf.indexOf(NL, p);
      const segEnd = nl === -1 || nl >= n ? n : nl;
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
      if (nl === -1 || nl >= n) {
        p = n;
        break;
      }
      if (firstContent >= 0) {
        idx.starts.push(firstContent);
        idx.ends.push(lastContentEnd);
        idx.lines.push(line);
        idx.idHashes.push(lineIdHash);
      }
      line++;
      firstContent = -1;
      lastContentEnd = -1;
      p = nl + 1;
    }
    base += n;
    onProgress?.(idx.count, base);
  }
  if (firstContent >= 0) {
    idx.starts.push(firstContent);
    idx.ends.push(lastContentEnd);
    idx.lines.push(line);
    idx.idHashes.push(lineIdHash);
  }
  idx.bytes = base;
  return idx;
}

/**
 * JSON array (records at depth 1) or grouped object (records at depth 2 inside arrays that are the
 * values of the top-level object's keys). Strings are skipped with native indexOf.
 */
function scanStructured(src: ByteSource, container: 'array' | 'grouped', chunkSize: number, start: number, field: Buffer, onProgress?: Progress): RecordIndex {
  const idx = new BuiltIndex(container);
  const recordDepth = container === 'array' ? 1 : 2;
  const buf = Buffer.allocUnsafe(chunkSize);
  let base = start;
  let line = 1;
  let countedTo = 0; // buffer position up to which newlines have been counted (this chunk)
  let depth = 0; // bracket depth; the top-level container is depth 1 once opened
  let inString = false;
  let escapePending = false;
  let started = false; // saw the top-level opening bracket
  let finished = false; // saw the top-level closing bracket
  let recStart = -1; // file offset of the open record's first byte, -1 when none
  let recLine = 0;
  let recEnd = -1; // file offset one past the last non-ws byte of the open record
  let recClosed = false; // the open record's value is complete (awaiting , or ])
  let recIdHash = NaN;
  let stringIsKey = false; // grouped: string at depth 1 is a group key
  let keyBytes: number[] | null = null;
  let currentGroup = -1;
  let trailingGarbageReported = false;

  let n = 0; // bytes in the current chunk
  let lineStart = start; // file offset of the current line's first byte
  let nextNl = -1; // buffer position of the next newline at or after countedTo (n: none in this chunk)
  // Counts newlines up to `upTo` incrementally; the next newline's position is remembered so that many
  // calls on one long line (a fault per byte) do not search the rest of the chunk again each time.
  const countLines = (upTo: number): void => {
    let q = countedTo;
    for (;;) {
      if (nextNl < q) {
        const k = buf.indexOf(NL, q);
        nextNl = k === -1 || k >= n ? n : k;
      }
      if (nextNl >= upTo) break;
      line++;
      lineStart = base + nextNl + 1;
      q = nextNl + 1;
    }
    countedTo = upTo;
  };
  const err = (offset: number, bufPos: number, message: string): void => {
    countLines(bufPos);
    idx.addError({ index: idx.count, line, column: offset - lineStart + 1, offset, message });
  };
  const closeRecord = (): void => {
    if (recStart < 0) return;
    idx.starts.push(recStart);
    idx.ends.push(recEnd);
    idx.lines.push(recLine);
    idx.idHashes.push(recIdHash);
    if (container === 'grouped') idx.groupIds.push(currentGroup);
    recStart = -1;
    recClosed = false;
  };

  for (;;) {
    n = src.read(buf);
    if (n === 0) break;
    countedTo = 0;
    nextNl = -1;
    let p = 0;
    while (p < n) {
      if (inString) {
        if (escapePending) {
          escapePending = false;
          if (stringIsKey && keyBytes) keyBytes.push(buf[p]);
          p++;
          continue;
        }
        const q = buf.indexOf(QUOTE, p);
        if (q === -1 || q >= n) {
          // String continues into the next chunk; an odd run of trailing backslashes escapes its first byte.
          let r = n - 1,
            run = 0;
          while (r >= p && buf[r] === BACKSLASH) {
            run++;
            r--;
          }
          if (stringIsKey && keyBytes) for (let k = p; k < n; k++) keyBytes.push(buf[k]);
          escapePending = (run & 1) === 1;
          p = n;
          break;
        }
        let r = q - 1,
          run = 0;
        while (r >= p && buf[r] === BACKSLASH) {
          run++;
          r--;
        }
        if (stringIsKey && keyBytes) for (let k = p; k < q; k++) keyBytes.push(buf[k]);
        if (run & 1) {
          if (stringIsKey && keyBytes) keyBytes.push(QUOTE);
          p = q + 1;
          continue;
        }
        inString = false;
        p = q + 1;
        if (depth === recordDepth && recStart >= 0) {
          recEnd = base + p;
          recClosed = true;
        }
        if (stringIsKey && keyBytes) {
          stringIsKey = false;
          let name: string;
          try {
            name = JSON.parse(`"${Buffer.from(keyBytes).toString('utf8')}"`);
          } catch {
            name = Buffer.from(keyBytes).toString('utf8');
          }
          idx.groupNames.push(name);
          currentGroup = idx.groupNames.length - 1;
          keyBytes = null;
        }
        continue;
      }
      const b = buf[p];
      if (b === SPACE || b === NL || b === CR || b === TAB) {
        p++;
        continue;
      }
      if (!started) {
        const want = container === 'array' ? LBRACK : LBRACE;
        if (b !== want) {
          err(base + p, p, `expected "${String.fromCharCode(want)}" at the start of the file, found "${String.fromCharCode(b)}"`);
          idx.bytes = base + n;
          return finishRead(src, buf, idx, base + n);
        }
        started = true;
        depth = 1;
        p++;
        continue;
      }
      if (finished) {
        if (!trailingGarbageReported) {
          err(base + p, p, `unexpected "${String.fromCharCode(b)}" after the closing bracket of the file`);
          trailingGarbageReported = true;
        }
        p++;
        continue;
      }
      if (depth === recordDepth) {
        // Between or at the start of records.
        if (b === COMMA) {
          if (recStart < 0) err(base + p, p, 'unexpected "," (empty record)');
          closeRecord();
          p++;
          continue;
        }
        if (b === RBRACK || (b === RBRACE && container === 'array')) {
          if (b === RBRACE) {
            err(base + p, p, 'unexpected "}" where a record or "]" was expected');
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
          err(base + p, p, 'missing "," between records');
          closeRecord();
        }
        if (recStart < 0) {
          countLines(p);
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
        continue;
      }
      if (depth < recordDepth) {
        // Grouped container, depth 1: keys, colons, commas, and arrays of records.
        if (b === QUOTE) {
          inString = true;
          stringIsKey = true;
          keyBytes = [];
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
        err(base + p, p, `group "${idx.groupNames[currentGroup] ?? '?'}" is not an array of records`);
        return finishRead(src, buf, idx, base + n);
      }
      // Inside a record.
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
      if (b === RBRACE || b === RBRACK) {
        depth--;
        if (depth === recordDepth) {
          recEnd = base + p + 1;
          recClosed = true;
        }
        p++;
        continue;
      }
      p++;
    }
    countLines(n);
    base += n;
    onProgress?.(idx.count, base);
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
function finishRead(src: ByteSource, buf: Buffer, idx: BuiltIndex, base: number): RecordIndex {
  let total = base;
  for (;;) {
    const n = src.read(buf);
    if (n === 0) break;
    total += n;
  }
  idx.bytes = total;
  return idx;
}
