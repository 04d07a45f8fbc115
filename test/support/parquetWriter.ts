/**
 * A minimal parquet writer for tests (hyparquet only reads): PLAIN encoding, no compression, one
 * data page (v1) per column chunk, several row groups. Columns: UTF-8 strings, 64-bit integers, and
 * Hugging Face `Image` columns — an OPTIONAL struct of OPTIONAL `bytes` (binary) and `path` (string),
 * the layout of Q-Bench-HF. Optional values are all present (definition levels at their maximum);
 * the image `bytes` chunks carry statistics with null_count 0, as pyarrow writes them.
 */
import * as fs from 'node:fs';

export type TestColumn =
  | { name: string; kind: 'string'; values: string[] }
  | { name: string; kind: 'int64'; values: number[] }
  | { name: string; kind: 'image'; values: { bytes: Buffer; path: string }[] };

/** Thrift compact protocol, just what FileMetaData and PageHeader need. */
class Compact {
  readonly out: number[] = [];
  private last = 0;
  private readonly stack: number[] = [];

  private varint(v: bigint): void {
    let x = v;
    while (x >= 0x80n) {
      this.out.push(Number((x & 0x7fn) | 0x80n));
      x >>= 7n;
    }
    this.out.push(Number(x));
  }
  private zigzag(v: number | bigint): bigint {
    const b = BigInt(v);
    return b >= 0n ? b << 1n : (-b << 1n) - 1n;
  }
  private header(id: number, type: number): void {
    const d = id - this.last;
    if (d > 0 && d <= 15) this.out.push((d << 4) | type);
    else {
      this.out.push(type);
      this.varint(this.zigzag(id));
    }
    this.last = id;
  }
  i32(id: number, v: number): this {
    this.header(id, 5);
    this.varint(this.zigzag(v));
    return this;
  }
  i64(id: number, v: number | bigint): this {
    this.header(id, 6);
    this.varint(this.zigzag(v));
    return this;
  }
  binary(id: number, b: Buffer | string): this {
    const buf = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
    this.header(id, 8);
    this.varint(BigInt(buf.length));
    this.out.push(...buf);
    return this;
  }
  private begin(): void {
    this.stack.push(this.last);
    this.last = 0;
  }
  private end(): void {
    this.out.push(0);
    this.last = this.stack.pop()!;
  }
  struct(id: number, body: (w: this) => void): this {
    this.header(id, 12);
    this.begin();
    body(this);
    this.end();
    return this;
  }
  private listHeader(id: number, type: number, n: number): void {
    this.header(id, 9);
    if (n < 15) this.out.push((n << 4) | type);
    else {
      this.out.push(0xf0 | type);
      this.varint(BigInt(n));
    }
  }
  structList<T>(id: number, items: T[], body: (w: this, item: T) => void): this {
    this.listHeader(id, 12, items.length);
    for (const it of items) {
      this.begin();
      body(this, it);
      this.end();
    }
    return this;
  }
  i32List(id: number, items: number[]): this {
    this.listHeader(id, 5, items.length);
    for (const v of items) this.varint(this.zigzag(v));
    return this;
  }
  stringList(id: number, items: string[]): this {
    this.listHeader(id, 8, items.length);
    for (const s of items) {
      const b = Buffer.from(s, 'utf8');
      this.varint(BigInt(b.length));
      this.out.push(...b);
    }
    return this;
  }
  /** A top-level struct (no field header). */
  root(body: (w: this) => void): Buffer {
    this.begin();
    body(this);
    this.end();
    return Buffer.from(this.out);
  }
}

interface Leaf {
  path: string[];
  type: 'BYTE_ARRAY' | 'INT64';
  maxDef: number;
  values: (Buffer | bigint)[];
  stats: boolean;
}

const TYPE = { INT64: 2, BYTE_ARRAY: 6 } as const;

function leavesOf(c: TestColumn, from: number, to: number): Leaf[] {
  switch (c.kind) {
    case 'string':
      return [{ path: [c.name], type: 'BYTE_ARRAY', maxDef: 1, values: c.values.slice(from, to).map((v) => Buffer.from(v, 'utf8')), stats: false }];
    case 'int64':
      return [{ path: [c.name], type: 'INT64', maxDef: 0, values: c.values.slice(from, to).map((v) => BigInt(v)), stats: false }];
    case 'image':
      return [
        { path: [c.name, 'bytes'], type: 'BYTE_ARRAY', maxDef: 2, values: c.values.slice(from, to).map((v) => v.bytes), stats: true },
        { path: [c.name, 'path'], type: 'BYTE_ARRAY', maxDef: 2, values: c.values.slice(from, to).map((v) => Buffer.from(v.path, 'utf8')), stats: false },
      ];
  }
}

function pageData(leaf: Leaf): Buffer {
  const parts: Buffer[] = [];
  if (leaf.maxDef > 0) {
    // RLE/bit-packed hybrid: one RLE run of `n` values at the maximum level, length-prefixed (v1 page)
    const run: number[] = [];
    let n = leaf.values.length << 1;
    while (n >= 0x80) {
      run.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    run.push(n, leaf.maxDef);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(run.length);
    parts.push(len, Buffer.from(run));
  }
  for (const v of leaf.values) {
    if (typeof v === 'bigint') {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(v);
      parts.push(b);
    } else {
      const l = Buffer.alloc(4);
      l.writeUInt32LE(v.length);
      parts.push(l, v);
    }
  }
  return Buffer.concat(parts);
}

/** Writes a parquet file with row groups of the given sizes (they must add up to the row count). */
export function writeParquet(file: string, columns: TestColumn[], rowGroupSizes: number[]): void {
  const rows = columns[0].values.length;
  if (rowGroupSizes.reduce((a, b) => a + b, 0) !== rows) throw new Error('row group sizes must add up to the rows');
  // written as it goes, so a bench can write a file far larger than memory
  const fd = fs.openSync(file, 'w');
  const put = (...bufs: Buffer[]) => {
    for (const b of bufs) fs.writeSync(fd, b);
  };
  put(Buffer.from('PAR1'));
  let offset = 4;
  const rowGroups: { columns: { leaf: Leaf; offset: number; size: number }[]; rows: number; bytes: number }[] = [];
  let from = 0;
  for (const n of rowGroupSizes) {
    const group = { columns: [] as { leaf: Leaf; offset: number; size: number }[], rows: n, bytes: 0 };
    for (const c of columns) {
      for (const leaf of leavesOf(c, from, from + n)) {
        const data = pageData(leaf);
        const header = new Compact().root((w) =>
          w
            .i32(1, 0)
            .i32(2, data.length)
            .i32(3, data.length)
            .struct(5, (d) => d.i32(1, n).i32(2, 0).i32(3, 3).i32(4, 3)),
        );
        const size = header.length + data.length;
        group.columns.push({ leaf, offset, size });
        put(header, data);
        offset += size;
        group.bytes += size;
      }
    }
    rowGroups.push(group);
    from += n;
  }
  const schema: { name: string; type?: number; repetition?: number; children?: number; utf8?: boolean }[] = [{ name: 'schema', children: columns.length }];
  for (const c of columns) {
    if (c.kind === 'string') schema.push({ name: c.name, type: TYPE.BYTE_ARRAY, repetition: 1, utf8: true });
    else if (c.kind === 'int64') schema.push({ name: c.name, type: TYPE.INT64, repetition: 0 });
    else
      schema.push(
        { name: c.name, repetition: 1, children: 2 },
        { name: 'bytes', type: TYPE.BYTE_ARRAY, repetition: 1 },
        { name: 'path', type: TYPE.BYTE_ARRAY, repetition: 1, utf8: true },
      );
  }
  const footer = new Compact().root((w) => {
    w.i32(1, 1);
    w.structList(2, schema, (s, e) => {
      if (e.type !== undefined) s.i32(1, e.type);
      if (e.repetition !== undefined) s.i32(3, e.repetition);
      s.binary(4, e.name);
      if (e.children !== undefined) s.i32(5, e.children);
      if (e.utf8) s.i32(6, 0);
    });
    w.i64(3, rows);
    w.structList(4, rowGroups, (g, rg) => {
      g.structList(1, rg.columns, (cc, col) => {
        cc.i64(2, col.offset);
        cc.struct(3, (m) => {
          m.i32(1, TYPE[col.leaf.type])
            .i32List(2, [0, 3])
            .stringList(3, col.leaf.path)
            .i32(4, 0)
            .i64(5, col.leaf.values.length)
            .i64(6, col.size)
            .i64(7, col.size)
            .i64(9, col.offset);
          if (col.leaf.stats) m.struct(12, (st) => st.i64(3, 0));
        });
      });
      g.i64(2, rg.bytes).i64(3, rg.rows);
    });
  });
  const len = Buffer.alloc(4);
  len.writeUInt32LE(footer.length);
  put(footer, len, Buffer.from('PAR1'));
  fs.closeSync(fd);
}

/**
 * A Q-Bench-shaped multiple-choice parquet of `rows` rows in row groups of `group` (tests and benches
 * that open large parquet files): ids `${idPrefix}-${i}`, a 64-byte embedded image per row, three
 * options, a subset among four names.
 */
export function writeMcqParquet(file: string, rows: number, group: number, idPrefix = 'qb'): void {
  const pic = Buffer.alloc(64, 7);
  const n = <T>(f: (i: number) => T): T[] => Array.from({ length: rows }, (_, i) => f(i));
  writeParquet(
    file,
    [
      { name: 'id', kind: 'string', values: n((i) => `${idPrefix}-${i}`) },
      { name: 'image', kind: 'image', values: n((i) => ({ bytes: pic, path: `${i}.jpg` })) },
      { name: 'question', kind: 'string', values: n((i) => `How is the sharpness of image ${i}? Look at the fine detail in the shadows.`) },
      { name: 'option0', kind: 'string', values: n(() => 'High') },
      { name: 'option1', kind: 'string', values: n(() => 'Medium') },
      { name: 'option2', kind: 'string', values: n(() => 'Low') },
      { name: 'correct_choice', kind: 'string', values: n((i) => 'ABC'[i % 3]) },
      { name: 'question_type', kind: 'string', values: n((i) => ['what', 'how', 'yes-or-no'][i % 3]) },
      { name: 'question_concern', kind: 'string', values: n(() => 'distortion') },
      { name: 'subset', kind: 'string', values: n((i) => ['a', 'b', 'c', 'd'][(i * 7) % 4]) },
    ],
    Array.from({ length: Math.ceil(rows / group) }, (_, k) => Math.min(group, rows - k * group)),
  );
}
