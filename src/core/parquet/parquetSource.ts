/**
 * A parquet file, or a folder of parquet shards, as a record source for Dataset (ARCHITECTURE.md,
 * "Parquet datasets"). Opening reads only each file's footer; the index is row-group metadata
 * (row counts), not byte offsets. A record is read by decoding the non-image columns of its row group
 * (a few recent groups are kept); image columns (`{bytes, path}` structs, as in Q-Bench-HF) become
 * `parquet-embedded:` references whose bytes are decoded only when an image is shown or sent.
 *
 * Decoding uses hyparquet (pure JS, no native code): its metadata parser, and its synchronous
 * column-chunk decoder on bytes this module reads itself, so records stay synchronous like the JSON
 * sources.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parquetMetadata, parquetSchema, type DecodedArray, type FileMetaData, type SchemaTree } from 'hyparquet';
import { assembleNested } from 'hyparquet/src/assemble.js';
import { readColumn } from 'hyparquet/src/column.js';
import { DEFAULT_PARSERS } from 'hyparquet/src/convert.js';
import { getTreePath } from 'hyparquet/src/schema.js';
import type { RecordIndex } from '../recordIndex';
import { idTextHash } from '../recordIndex';
import { embeddedRef, registerEmbeddedSource, unregisterEmbeddedSource, type EmbeddedImageSource } from './embeddedImages';

/** A `.parquet` file, or a folder that holds `.parquet` files. */
export function isParquetPath(p: string): boolean {
  if (/\.parquet$/i.test(p)) return true;
  try {
    return fs.statSync(p).isDirectory() && fs.readdirSync(p).some((f) => /\.parquet$/i.test(f));
  } catch {
    return false;
  }
}

interface Group {
  shard: number;
  /** Row group index in its file. */
  index: number;
  /** First row, counted over all shards. */
  rowStart: number;
  rows: number;
}

interface Shard {
  file: string;
  fd: number;
  size: number;
  metadata: FileMetaData;
  schema: SchemaTree;
}

export interface ParquetOpenOptions {
  /** Column that holds record ids (default "id"). */
  idField?: string;
}

class Lru<V> {
  private readonly m = new Map<string, V>();
  constructor(private readonly capacity: number) {}
  get(k: string): V | undefined {
    const v = this.m.get(k);
    if (v !== undefined) {
      this.m.delete(k);
      this.m.set(k, v);
    }
    return v;
  }
  has(k: string): boolean {
    return this.m.has(k);
  }
  set(k: string, v: V): void {
    this.m.set(k, v);
    while (this.m.size > this.capacity) this.m.delete(this.m.keys().next().value as string);
  }
}

/** Values as JSON can hold them: 64-bit integers as numbers (or strings past 2^53), bytes summarised. */
function jsonSafe(v: unknown): unknown {
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(jsonSafe);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>, (x) => jsonSafe(x));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, jsonSafe(x)]));
  return v;
}

function flatten(chunks: DecodedArray[]): ArrayLike<unknown> {
  if (chunks.length === 1) return chunks[0];
  const out: unknown[] = [];
  for (const c of chunks) for (let i = 0; i < c.length; i++) out.push(c[i]);
  return out;
}

/** An image column: a struct with a binary `bytes` field (Hugging Face `Image`), or a plain binary column. */
function isImageColumn(child: SchemaTree): boolean {
  if (child.children.length) return child.children.some((c) => c.element.name === 'bytes' && c.element.type === 'BYTE_ARRAY' && !c.children.length);
  const e = child.element;
  return e.type === 'BYTE_ARRAY' && e.converted_type !== 'UTF8' && e.converted_type !== 'JSON' && !e.logical_type && /image|img/i.test(e.name);
}

export class ParquetSource implements EmbeddedImageSource {
  readonly count: number;
  readonly bytes: number;
  readonly mtimeMs: number;
  readonly token: string;
  /** Top-level columns, and those holding images. */
  readonly columns: string[];
  readonly imageColumns: string[];
  /** Bytes read from disk so far (footers and column chunks): what opening and reading cost. */
  bytesRead = 0;
  readonly index: RecordIndex;
  private readonly groups: Group[] = [];
  private readonly rowCache = new Lru<Buffer[]>(4);
  private readonly imageCache = new Lru<(Buffer | undefined)[]>(2);
  /** Image bytes of single rows read on another thread (adoptRowImages), by row and column. */
  private readonly rowImageCache = new Lru<Buffer | null>(64);
  private readonly idCache = new Map<number, Float64Array>();
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly shards: Shard[],
    private readonly idField: string,
  ) {
    let rowStart = 0;
    shards.forEach((s, si) => {
      s.metadata.row_groups.forEach((rg, gi) => {
        const rows = Number(rg.num_rows);
        this.groups.push({ shard: si, index: gi, rowStart, rows });
        rowStart += rows;
      });
    });
    this.count = rowStart;
    this.bytes = shards.reduce((a, s) => a + s.size, 0);
    this.mtimeMs = Math.max(...shards.map((s) => fs.fstatSync(s.fd).mtimeMs));
    const first = shards[0].schema;
    this.columns = first.children.map((c) => c.element.name);
    this.imageColumns = first.children.filter(isImageColumn).map((c) => c.element.name);
    this.token = createHash('sha1').update(path).digest('hex').slice(0, 12);
    this.index = {
      // Dataset reports the container as "parquet"; this index is never scanned as text.
      container: 'array',
      count: this.count,
      bytes: this.bytes,
      errors: [],
      errorsOmitted: 0,
      start: (i) => i,
      end: (i) => i + 1,
      line: (i) => i + 1,
      group: () => undefined,
      idHash: (i) => this.idHash(i),
    };
    registerEmbeddedSource(this.token, this);
  }

  /** Opens a `.parquet` file or a folder of shards (sorted by name); reads each footer only. */
  static open(p: string, opts: ParquetOpenOptions = {}): ParquetSource {
    const abs = path.resolve(p);
    const files = fs.statSync(abs).isDirectory()
      ? fs
          .readdirSync(abs)
          .filter((f) => /\.parquet$/i.test(f))
          .sort()
          .map((f) => path.join(abs, f))
      : [abs];
    if (files.length === 0) throw new Error(`${abs} holds no .parquet files`);
    const shards: Shard[] = [];
    let read = 0;
    try {
      for (const file of files) {
        const fd = fs.openSync(file, 'r');
        const size = fs.fstatSync(fd).size;
        shards.push({ file, fd, size } as Shard);
        if (size < 12) throw new Error(`${file}: not a parquet file (${size} bytes)`);
        const tail = readAt(fd, size - 8, size);
        if (tail.toString('latin1', 4, 8) !== 'PAR1') throw new Error(`${file}: not a parquet file (no PAR1 footer)`);
        const metaLen = tail.readUInt32LE(0);
        if (metaLen + 12 > size) throw new Error(`${file}: footer length ${metaLen} does not fit the file`);
        const footer = readAt(fd, size - 8 - metaLen, size);
        read += footer.length + 8;
        let metadata: FileMetaData;
        try {
          metadata = parquetMetadata(toArrayBuffer(footer));
        } catch (e) {
          throw new Error(`${file}: unreadable parquet footer (${(e as Error).message})`);
        }
        const s = shards[shards.length - 1];
        s.metadata = metadata;
        s.schema = parquetSchema(metadata);
      }
      const names = (s: Shard) => s.schema.children.map((c) => c.element.name).join(',');
      const odd = shards.find((s) => names(s) !== names(shards[0]));
      if (odd) throw new Error(`${odd.file}: columns (${names(odd)}) differ from ${shards[0].file} (${names(shards[0])})`);
    } catch (e) {
      for (const s of shards) fs.closeSync(s.fd);
      throw e;
    }
    const src = new ParquetSource(abs, shards, opts.idField ?? 'id');
    src.bytesRead = read;
    return src;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    unregisterEmbeddedSource(this.token, this);
    for (const s of this.shards) fs.closeSync(s.fd);
  }

  /** Size and mtime of every shard: changes when any shard does. */
  fingerprint(): string {
    const h = createHash('sha256');
    for (const s of this.shards) {
      const st = fs.statSync(s.file);
      h.update(`${path.basename(s.file)}:${st.size}:${st.mtimeMs}\n`);
    }
    return h.digest('hex').slice(0, 16);
  }

  /** Row groups as (first row, rows), for info and tests. */
  rowGroups(): { rowStart: number; rows: number; file: string }[] {
    return this.groups.map((g) => ({ rowStart: g.rowStart, rows: g.rows, file: this.shards[g.shard].file }));
  }

  private groupOf(row: number): number {
    if (!(row >= 0 && row < this.count)) throw new RangeError(`row ${row} is outside the dataset (${this.count} rows)`);
    let lo = 0,
      hi = this.groups.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.groups[mid].rowStart <= row) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private read(shard: Shard, start: number, end: number): ArrayBuffer {
    const ab = new ArrayBuffer(end - start);
    const view = new Uint8Array(ab);
    let got = 0;
    while (got < view.length) {
      const n = fs.readSync(shard.fd, view, got, view.length - got, start + got);
      if (n === 0) throw new Error(`${shard.file}: ends early (wanted bytes ${start}–${end})`);
      got += n;
    }
    this.bytesRead += view.length;
    return ab;
  }

  /** Decodes the named top-level columns of one row group (only their column chunks are read). */
  private readColumns(g: Group, names: Set<string>): Map<string, ArrayLike<unknown>> {
    const shard = this.shards[g.shard];
    const rg = shard.metadata.row_groups[g.index];
    const sub = new Map<string, DecodedArray>();
    for (const chunk of rg.columns) {
      const meta = chunk.meta_data;
      if (!meta || !names.has(meta.path_in_schema[0])) continue;
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
      const buf = this.read(shard, start, start + Number(meta.total_compressed_size));
      const schemaPath = getTreePath(shard.schema, meta.path_in_schema);
      // utf8: false — binary without a string annotation stays bytes (images), annotated strings decode as text
      const decoder = {
        pathInSchema: meta.path_in_schema,
        element: schemaPath[schemaPath.length - 1].element,
        schemaPath,
        ...meta,
        parsers: DEFAULT_PARSERS,
        utf8: false,
      };
      let data: DecodedArray[];
      try {
        data = readColumn({ view: new DataView(buf), offset: 0 }, { groupStart: 0, selectStart: 0, selectEnd: g.rows, groupRows: g.rows }, decoder).data;
      } catch (e) {
        throw new Error(`${shard.file}: row group ${g.index}, column ${meta.path_in_schema.join('.')}: ${(e as Error).message}`);
      }
      sub.set(meta.path_in_schema.join('.'), flatten(data) as DecodedArray);
    }
    const out = new Map<string, ArrayLike<unknown>>();
    for (const child of shard.schema.children) {
      const name = child.element.name;
      if (!names.has(name)) continue;
      if (child.children.length) assembleNested(sub, child, DEFAULT_PARSERS);
      const v = sub.get(name);
      if (v) out.set(name, v);
    }
    return out;
  }

  /** Record i as JSON text: every column, images as `parquet-embedded:` references. */
  rowBytes(i: number): Buffer {
    const gi = this.groupOf(i);
    return this.groupRowBytes(gi)[i - this.groups[gi].rowStart];
  }

  /** The rows among `rows` whose image bytes are neither adopted nor in a row group's images read here. */
  rowsWithoutImages(rows: Iterable<number>): number[] {
    const out: number[] = [];
    if (this.imageColumns.length === 0) return out;
    for (const r of rows) {
      if (!(r >= 0 && r < this.count) || out.includes(r)) continue;
      const gi = this.groupOf(r);
      const missing = this.imageColumns.some((c) => !this.rowImageCache.has(`${r}\0${c}`) && !this.imageCache.has(`${gi}\0${c}`));
      if (missing) out.push(r);
    }
    return out;
  }

  /** Keeps a row's image bytes read on another thread (the index worker's imageBytes of the same file), per image column. */
  adoptRowImages(row: number, images: Map<string, Buffer | undefined>): void {
    for (const c of this.imageColumns) this.rowImageCache.set(`${row}\0${c}`, images.get(c) ?? null);
  }

  /** The row groups holding `rows` whose records are not decoded here yet (in order, once each). */
  undecodedGroups(rows: Iterable<number>): number[] {
    const out: number[] = [];
    for (const r of rows) {
      if (!(r >= 0 && r < this.count)) continue;
      const gi = this.groupOf(r);
      if (!out.includes(gi) && !this.rowCache.has(String(gi))) out.push(gi);
    }
    return out;
  }

  /**
   * Keeps records of row group `gi` decoded on another thread (the index worker's groupRowBytes of
   * the same file) as if decoded here: rowBytes then reads them without decoding.
   */
  adoptGroupRows(gi: number, rows: Buffer[]): void {
    const g = this.groups[gi];
    if (!g || rows.length !== g.rows) throw new Error(`row group ${gi} of ${this.path} has ${g?.rows ?? 0} rows, not ${rows.length}`);
    this.rowCache.set(String(gi), rows);
  }

  /** Every record of row group `gi` as JSON text (decoded once, then kept among the last few groups). */
  groupRowBytes(gi: number): Buffer[] {
    const g = this.groups[gi];
    if (!g) throw new RangeError(`no row group ${gi} in ${this.path} (${this.groups.length} groups)`);
    let rows = this.rowCache.get(String(gi));
    if (!rows) {
      const plain = this.columns.filter((c) => !this.imageColumns.includes(c));
      const cols = this.readColumns(g, new Set(plain));
      const present = this.imageColumns.length ? this.readImagePresence(g) : new Map<string, boolean[]>();
      rows = [];
      for (let r = 0; r < g.rows; r++) {
        const rec: Record<string, unknown> = {};
        for (const c of this.columns) {
          if (this.imageColumns.includes(c)) rec[c] = present.get(c)?.[r] ? embeddedRef(this.token, g.rowStart + r, c) : null;
          else rec[c] = jsonSafe(cols.get(c)?.[r] ?? null);
        }
        rows.push(Buffer.from(JSON.stringify(rec), 'utf8'));
      }
      this.rowCache.set(String(gi), rows);
    }
    return rows;
  }

  /**
   * Which rows of a group hold an image, per image column, from the column chunk statistics when
   * they say there are no nulls (no image bytes read); otherwise from the images themselves.
   */
  private readImagePresence(g: Group): Map<string, boolean[]> {
    const rg = this.shards[g.shard].metadata.row_groups[g.index];
    const out = new Map<string, boolean[]>();
    for (const c of this.imageColumns) {
      const chunks = rg.columns.filter((ch) => ch.meta_data?.path_in_schema[0] === c);
      const bytesChunk = chunks.find((ch) => ch.meta_data!.path_in_schema.length === 1 || ch.meta_data!.path_in_schema[1] === 'bytes');
      const nulls = bytesChunk?.meta_data?.statistics?.null_count;
      if (nulls !== undefined && Number(nulls) === 0) out.set(c, new Array(g.rows).fill(true));
      else
        out.set(
          c,
          this.groupImages(this.groups.indexOf(g), c).map((b) => b !== undefined && b.length > 0),
        );
    }
    return out;
  }

  private groupImages(gi: number, column: string): (Buffer | undefined)[] {
    const k = `${gi}\0${column}`;
    let imgs = this.imageCache.get(k);
    if (!imgs) {
      const v = this.readColumns(this.groups[gi], new Set([column])).get(column) ?? [];
      imgs = Array.from(v, (x) => {
        const bytes = x instanceof Uint8Array ? x : (x as { bytes?: unknown } | null)?.bytes;
        return bytes instanceof Uint8Array ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : undefined;
      });
      this.imageCache.set(k, imgs);
    }
    return imgs;
  }

  /** The image bytes of a row's image column (reads that column chunk of its row group only). */
  imageBytes(row: number, column: string): Buffer | undefined {
    if (this.closed || !this.imageColumns.includes(column) || !(row >= 0 && row < this.count)) return undefined;
    const adopted = this.rowImageCache.get(`${row}\0${column}`);
    if (adopted !== undefined) return adopted ?? undefined;
    const gi = this.groupOf(row);
    return this.groupImages(gi, column)[row - this.groups[gi].rowStart];
  }

  /** FNV-1a of row i's id text (as the JSON scanner hashes ids), -1 without one; reads the id column only. */
  private idHash(i: number): number {
    if (!this.columns.includes(this.idField)) return -1;
    const gi = this.groupOf(i);
    let hashes = this.idCache.get(gi);
    if (!hashes) {
      const g = this.groups[gi];
      const v = this.readColumns(g, new Set([this.idField])).get(this.idField) ?? [];
      hashes = new Float64Array(g.rows);
      for (let r = 0; r < g.rows; r++) {
        const id = jsonSafe(v[r]);
        hashes[r] = typeof id === 'string' || typeof id === 'number' ? idTextHash(String(id)) : -1;
      }
      this.idCache.set(gi, hashes);
    }
    return hashes[i - this.groups[gi].rowStart];
  }
}

function readAt(fd: number, start: number, end: number): Buffer {
  const buf = Buffer.alloc(end - start);
  let got = 0;
  while (got < buf.length) {
    const n = fs.readSync(fd, buf, got, buf.length - got, start + got);
    if (n === 0) break;
    got += n;
  }
  return buf;
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  const ab = new ArrayBuffer(b.length);
  new Uint8Array(ab).set(b);
  return ab;
}
