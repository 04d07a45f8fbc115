/**
 * An open dataset: the record index plus random access to records, their parsed values and their
 * normalised Items. Reads from disk through the index (works for files of any size) or from an
 * in-memory buffer (an editor document).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { detectFormat } from './formats/detect';
import { normalize, recordId } from './formats/normalize';
import { fileFingerprint, recordHash } from './hash';
import type { FieldMapping, FormatId, Item } from './item';
import { quickField } from './quickFields';
import { indexBuffer, indexFile, type Container, type RecordIndex } from './recordIndex';

export interface OpenOptions {
  format?: FormatId;
  container?: Container;
  mapping?: FieldMapping;
  /** Number of leading records used to detect the format. */
  detectSample?: number;
}

/** A record that is not valid JSON. */
export class RecordSyntaxError extends Error {
  constructor(
    readonly index: number,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
  ) {
    super(`record ${index} (line ${line}, column ${column}): ${detail}`);
  }
}

export type ParseResult = { ok: true; value: unknown; raw: string } | { ok: false; error: RecordSyntaxError; raw: string };

interface ByteReader {
  read(start: number, end: number): Buffer;
  close(): void;
}

/** Table of record ids: which ids exist, and which are unique. */
export interface IdTable {
  /** id of record i, or undefined. */
  ids: (string | undefined)[];
  /** id → indices carrying it (only ids seen more than once are listed with all indices). */
  first: Map<string, number>;
  duplicates: Map<string, number[]>;
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
  ) {
    this.format = opts.format ?? this.detect(opts.detectSample ?? 20);
  }

  /** Opens a file on disk: streams it once to build the index. */
  static open(filePath: string, opts: OpenOptions = {}): Dataset {
    const abs = path.resolve(filePath);
    const st = fs.statSync(abs);
    if (st.isDirectory()) throw new Error(`${abs} is a folder, not a dataset file`);
    const index = indexFile(abs, { container: opts.container, fileName: abs });
    const fd = fs.openSync(abs, 'r');
    const reader: ByteReader = {
      read(start, end) {
        const buf = Buffer.allocUnsafe(end - start);
        let got = 0;
        while (got < buf.length) {
          const n = fs.readSync(fd, buf, got, buf.length - got, start + got);
          if (n === 0) break;
          got += n;
        }
        return buf.subarray(0, got);
      },
      close() { fs.closeSync(fd); },
    };
    return new Dataset(abs, index, reader, st.mtimeMs, opts, opts.mapping);
  }

  /** Opens text held in memory (an editor document); `fileName` is used for detection and paths. */
  static fromText(text: string | Buffer, fileName: string, opts: OpenOptions = {}): Dataset {
    const data = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    const index = indexBuffer(data, { container: opts.container, fileName });
    const reader: ByteReader = { read: (s, e) => data.subarray(s, e), close() {} };
    return new Dataset(path.resolve(fileName), index, reader, Date.now(), opts, opts.mapping);
  }

  get count(): number { return this.index.count; }
  get bytes(): number { return this.index.bytes; }
  get container(): Container { return this.index.container; }
  get folder(): string { return path.dirname(this.path); }

  close(): void { this.reader.close(); }

  fingerprint(): string { return fileFingerprint(this.path); }

  rawBytes(i: number): Buffer { return this.reader.read(this.index.start(i), this.index.end(i)); }
  raw(i: number): string { return this.rawBytes(i).toString('utf8'); }

  parse(i: number): ParseResult {
    return parseRaw(this.raw(i), i, this.index.line(i));
  }

  /** Normalised item i; a record with a syntax error throws RecordSyntaxError. */
  item(i: number): Item {
    const r = this.parse(i);
    if (!r.ok) throw r.error;
    return this.itemFrom(i, r.value, r.raw);
  }

  itemFrom(i: number, value: unknown, raw: string): Item {
    return normalize(value, this.format, {
      index: i,
      line: this.index.line(i),
      hash: recordHash(raw),
      key: this.keyFor(i, value),
      group: this.index.group(i),
      mapping: this.mapping,
    });
  }

  /** Stable key: the id when present and unique in the file, else "#<index>". */
  keyFor(i: number, value?: unknown): string {
    const id = value === undefined ? this.ids().ids[i] : recordId(value, this.mapping);
    if (id === undefined) return `#${i}`;
    const dup = this.ids().duplicates.has(id);
    return dup ? `#${i}` : id;
  }

  /** Record index for a key ("#12" or an id), or undefined. */
  findKey(key: string): number | undefined {
    const m = /^#(\d+)$/.exec(key);
    if (m) {
      const i = Number(m[1]);
      return i < this.count ? i : undefined;
    }
    return this.ids().first.get(key);
  }

  /**
   * Ids of every record, read in one sequential pass. Ids are taken from the first bytes of each
   * record when the "id" key is at the record's top level there; otherwise the record is parsed.
   */
  ids(): IdTable {
    if (this.idTable) return this.idTable;
    const ids: (string | undefined)[] = new Array(this.count);
    const first = new Map<string, number>();
    const duplicates = new Map<string, number[]>();
    const field = this.mapping?.id ?? 'id';
    const HEAD = 512;
    this.forEachRaw((i, head) => {
      const q = quickField(head, field, this.index.end(i) - this.index.start(i) <= HEAD);
      let v: string | undefined;
      if (q === null) {
        try { v = recordId(JSON.parse(this.raw(i)), this.mapping); } catch { v = undefined; }
      } else v = typeof q === 'string' || typeof q === 'number' ? String(q) : undefined;
      ids[i] = v;
      if (v === undefined) return;
      const f = first.get(v);
      if (f === undefined) first.set(v, i);
      else {
        const list = duplicates.get(v);
        if (list) list.push(i);
        else duplicates.set(v, [f, i]);
      }
    }, HEAD);
    this.idTable = { ids, first, duplicates };
    return this.idTable;
  }

  /**
   * Calls `fn` with each record's raw text in file order, reading the file sequentially in large
   * chunks. With `maxBytes`, only the first bytes of each record are passed (for quick scans).
   */
  forEachRaw(fn: (i: number, raw: string) => void, maxBytes = Infinity, from = 0, to = this.count): void {
    const CH = 1 << 23;
    let i = from;
    while (i < to) {
      const chunkStart = this.index.start(i);
      let j = i;
      // Take records until the chunk would exceed CH bytes (at least one record).
      while (j < to && (j === i || this.index.end(j) - chunkStart <= CH)) j++;
      const lastEnd = maxBytes === Infinity ? this.index.end(j - 1) : Math.min(this.index.end(j - 1), this.index.start(j - 1) + maxBytes);
      const buf = this.reader.read(chunkStart, lastEnd);
      for (let k = i; k < j; k++) {
        const s = this.index.start(k) - chunkStart;
        const e = Math.min(this.index.end(k), this.index.start(k) + maxBytes) - chunkStart;
        fn(k, buf.toString('utf8', s, e));
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

/** Parses a record's raw text; a syntax error names the line and column within the file. */
export function parseRaw(raw: string, index: number, startLine: number): ParseResult {
  try {
    return { ok: true, value: JSON.parse(raw), raw };
  } catch (e) {
    const msg = (e as Error).message;
    const pos = syntaxErrorPosition(raw, msg);
    const before = raw.slice(0, pos);
    const nl = before.lastIndexOf('\n');
    const line = startLine + (before.match(/\n/g)?.length ?? 0);
    const column = pos - nl; // 1-based
    const detail = msg.replace(/^JSON\.parse: /, '').replace(/ in JSON at position \d+.*$/, '').replace(/, ".*" is not valid JSON$/s, '');
    return { ok: false, error: new RecordSyntaxError(index, line, column, `invalid JSON: ${detail}`), raw };
  }
}

function syntaxErrorPosition(raw: string, message: string): number {
  const m = /at position (\d+)/.exec(message);
  if (m) return Math.min(Number(m[1]), raw.length);
  if (/Unexpected end of JSON input|Unterminated string/i.test(message)) return raw.length;
  return 0;
}
