/**
 * A record index and its id table as flat columns that move between threads without a copy
 * (ARCHITECTURE.md › Opening a large dataset). The receiving thread pays for structured-clone
 * deserialization before any of its code runs: a Set or Map with one entry per duplicated record,
 * or an array with one string per group, costs it tens of milliseconds at 100,000 entries. Here
 * everything that grows with the dataset is a typed array (transferred) or one string, so what the
 * index worker's `done` message costs the extension host does not grow with the record count; the
 * id table's duplicated ids are decoded only if asked for.
 */
import type { IdTable } from './dataset';
import { LoadedIndex } from './indexCache';
import type { Container, IndexError, RecordIndex } from './recordIndex';

/** A record index as columns (moved, not copied, between threads). */
export interface IndexedColumns {
  container: Container;
  bytes: number;
  starts: Float64Array;
  ends: Float64Array;
  lines: Float64Array;
  idHashes: Float64Array;
  groupIds?: Float64Array;
  /** Every group name, one after the other, and the length of each (UTF-16 units). */
  groupNames: PackedStrings;
  /** At most MAX_INDEX_ERRORS (recordIndex.ts): bounded. */
  errors: IndexError[];
  errorsOmitted: number;
}

/** Strings packed as one string and the length of each. */
export interface PackedStrings {
  text: string;
  lengths: Uint32Array;
}

/** An id table (dataset.ts IdTable) as columns. */
export interface IdColumns {
  hashes: Float64Array;
  /** 1 where the record's id is shared with another record. */
  duplicate: Uint8Array;
  /** The duplicated ids in the table's order, and their records: ids `i` has members[ends[i-1] .. ends[i]). */
  duplicateIds: PackedStrings;
  members: Int32Array;
  ends: Int32Array;
}

export function packStrings(list: readonly string[]): PackedStrings {
  const lengths = new Uint32Array(list.length);
  for (let i = 0; i < list.length; i++) lengths[i] = list[i].length;
  return { text: list.join(''), lengths };
}

export function unpackStrings(p: PackedStrings): string[] {
  const out = new Array<string>(p.lengths.length);
  let at = 0;
  for (let i = 0; i < out.length; i++) {
    const end = at + p.lengths[i];
    out[i] = p.text.slice(at, end);
    at = end;
  }
  return out;
}

/** The index as columns (copies: the sending thread keeps its own index); `transfer` lists their buffers. */
export function indexColumns(ix: RecordIndex): { cols: IndexedColumns; transfer: ArrayBuffer[] } {
  const n = ix.count;
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  const lines = new Float64Array(n);
  const idHashes = new Float64Array(n);
  const grouped = ix.container === 'grouped';
  const groupIds = grouped ? new Float64Array(n) : undefined;
  const names: string[] = [];
  const groupId = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    starts[i] = ix.start(i);
    ends[i] = ix.end(i);
    lines[i] = ix.line(i);
    idHashes[i] = ix.idHash(i);
    if (!groupIds) continue;
    const g = ix.group(i) ?? '';
    let k = groupId.get(g);
    if (k === undefined) groupId.set(g, (k = names.push(g) - 1));
    groupIds[i] = k;
  }
  const groupNames = packStrings(names);
  const cols: IndexedColumns = {
    container: ix.container,
    bytes: ix.bytes,
    starts,
    ends,
    lines,
    idHashes,
    groupIds,
    groupNames,
    errors: ix.errors,
    errorsOmitted: ix.errorsOmitted,
  };
  const transfer = [starts, ends, lines, idHashes, ...(groupIds ? [groupIds] : []), groupNames.lengths].map((a) => a.buffer as ArrayBuffer);
  return { cols, transfer };
}

/** The index the columns describe (no copy: it reads them where they are). */
export function indexFromColumns(c: IndexedColumns): LoadedIndex {
  return new LoadedIndex(c.container, c.bytes, c.starts, c.ends, c.lines, c.idHashes, c.groupIds, unpackStrings(c.groupNames), c.errors, c.errorsOmitted);
}

/** An id table as columns (the hashes copied: the sending thread keeps its table). */
export function idColumns(ids: IdTable): { cols: IdColumns; transfer: ArrayBuffer[] } {
  const n = ids.hashes.length;
  const duplicate = new Uint8Array(n);
  for (const i of ids.duplicates) duplicate[i] = 1;
  const names: string[] = [];
  let total = 0;
  for (const list of ids.duplicateIds.values()) total += list.length;
  const members = new Int32Array(total);
  const ends = new Int32Array(ids.duplicateIds.size);
  let m = 0;
  for (const [id, list] of ids.duplicateIds) {
    for (const i of list) members[m++] = i;
    ends[names.push(id) - 1] = m;
  }
  const duplicateIds = packStrings(names);
  const cols: IdColumns = { hashes: ids.hashes.slice(), duplicate, duplicateIds, members, ends };
  return { cols, transfer: [cols.hashes, duplicate, duplicateIds.lengths, members, ends].map((a) => a.buffer as ArrayBuffer) };
}

/** The id table the columns describe: `duplicates` answers from the flags; `duplicateIds` is decoded on first use. */
export function idTableFromColumns(c: IdColumns): IdTable {
  let byId: Map<string, number[]> | undefined;
  return {
    hashes: c.hashes,
    duplicates: new FlagSet(c.duplicate),
    get duplicateIds(): Map<string, number[]> {
      if (byId) return byId;
      byId = new Map();
      const ids = unpackStrings(c.duplicateIds);
      let from = 0;
      for (let k = 0; k < ids.length; k++) {
        byId.set(ids[k], Array.from(c.members.subarray(from, c.ends[k])));
        from = c.ends[k];
      }
      return byId;
    },
  };
}

/** The indices whose flag is set, as a read-only set (iterated in ascending order). */
export class FlagSet implements ReadonlySet<number> {
  private count: number | undefined;
  constructor(private readonly flags: Uint8Array) {}
  has(i: number): boolean {
    return this.flags[i] === 1;
  }
  get size(): number {
    if (this.count === undefined) {
      let n = 0;
      for (let i = 0; i < this.flags.length; i++) n += this.flags[i];
      this.count = n;
    }
    return this.count;
  }
  *values(): IterableIterator<number> {
    for (let i = 0; i < this.flags.length; i++) if (this.flags[i] === 1) yield i;
  }
  keys(): IterableIterator<number> {
    return this.values();
  }
  *entries(): IterableIterator<[number, number]> {
    for (const i of this.values()) yield [i, i];
  }
  [Symbol.iterator](): IterableIterator<number> {
    return this.values();
  }
  forEach(fn: (value: number, key: number, set: ReadonlySet<number>) => void, thisArg?: unknown): void {
    for (const i of this.values()) fn.call(thisArg, i, i, this);
  }
}
