/**
 * Strata for sampling: none, by group size, by a field's value, or by index ranges
 * ("ranges:Q-Instruct=0-200276,Merge2Compare=200277-302408,…"; a range may be open: "332301-").
 */
import { parseRaw, type Dataset } from './dataset';
import { quickField } from './quickFields';

export type StrataSpec =
  | { kind: 'none' }
  | { kind: 'groupSize' }
  | { kind: 'field'; field: string }
  | { kind: 'ranges'; ranges: { name: string; from: number; to: number }[] };

export function parseStrata(spec: string | undefined): StrataSpec {
  const s = (spec ?? 'none').trim();
  if (s === '' || s === 'none') return { kind: 'none' };
  if (s === 'groupSize' || s === 'groupsize' || s === 'group-size') return { kind: 'groupSize' };
  if (s.startsWith('field:')) {
    const field = s.slice(6).trim();
    if (!field) throw new Error('strata "field:" needs a field name, e.g. field:subset');
    return { kind: 'field', field };
  }
  if (s.startsWith('ranges:')) {
    const ranges = s
      .slice(7)
      .split(',')
      .map((part) => {
        const m = /^\s*([^=]+?)\s*=\s*(\d+)\s*-\s*(\d*)\s*$/.exec(part);
        if (!m) throw new Error(`strata range "${part}" must look like Name=FROM-TO (TO may be empty for "to the end")`);
        const from = Number(m[2]);
        const to = m[3] === '' ? Infinity : Number(m[3]);
        if (to < from) throw new Error(`strata range "${part}" ends before it starts`);
        return { name: m[1], from, to };
      });
    const sorted = [...ranges].sort((a, b) => a.from - b.from);
    for (let i = 1; i < sorted.length; i++) {
      if (sorted[i].from <= sorted[i - 1].to) throw new Error(`strata ranges "${sorted[i - 1].name}" and "${sorted[i].name}" overlap`);
    }
    const names = new Set<string>();
    for (const r of ranges) {
      if (names.has(r.name)) throw new Error(`strata range name "${r.name}" is used twice`);
      names.add(r.name);
    }
    return { kind: 'ranges', ranges };
  }
  throw new Error(`unknown strata "${s}": use none, groupSize, field:NAME or ranges:NAME=FROM-TO,…`);
}

export function strataToString(s: StrataSpec): string {
  switch (s.kind) {
    case 'none':
      return 'none';
    case 'groupSize':
      return 'groupSize';
    case 'field':
      return `field:${s.field}`;
    case 'ranges':
      return `ranges:${s.ranges.map((r) => `${r.name}=${r.from}-${r.to === Infinity ? '' : r.to}`).join(',')}`;
  }
}

const HEAD = 2048;
const isWs = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Index just past the JSON string whose opening quote is at buf[q], or -1 if it does not end before e. */
function skipString(buf: Buffer, q: number, e: number): number {
  for (let k = q + 1; k < e; k++) {
    const c = buf[k];
    if (c === 0x5c) k++;
    else if (c === 0x22) return k + 1;
  }
  return -1;
}

/** Index just past the JSON value starting at buf[q] (strings, nesting, or a bare literal), or -1 if it does not end before e. */
function skipValue(buf: Buffer, q: number, e: number): number {
  const c = buf[q];
  if (c === 0x22) return skipString(buf, q, e);
  if (c === 0x7b || c === 0x5b) {
    let depth = 0;
    for (let k = q; k < e; k++) {
      const b = buf[k];
      if (b === 0x22) {
        k = skipString(buf, k, e) - 1;
        if (k < 0) return -1;
      } else if (b === 0x7b || b === 0x5b) depth++;
      else if (b === 0x7d || b === 0x5d) {
        if (--depth === 0) return k + 1;
      }
    }
    return -1;
  }
  let k = q;
  while (k < e && buf[k] !== 0x2c && buf[k] !== 0x7d && !isWs(buf[k])) k++;
  return k < e ? k : -1;
}

/** The number of images a value at buf[q] holds: a string (0 when empty), or an array of strings; null otherwise. */
function countImages(buf: Buffer, q: number, e: number): number | null {
  if (buf[q] === 0x22) return q + 1 < e && buf[q + 1] === 0x22 ? 0 : 1;
  if (buf[q] !== 0x5b) return null;
  let count = 0;
  q++;
  for (;;) {
    while (q < e && isWs(buf[q])) q++;
    if (q >= e) return null;
    const c = buf[q];
    if (c === 0x5d) return count;
    if (c === 0x2c) {
      q++;
      continue;
    }
    if (c !== 0x22) return null;
    q = skipString(buf, q, e);
    if (q < 0) return null;
    count++;
  }
}

/**
 * Number of images in a LLaVA record from its bytes [s, e) (its first bytes), without decoding: walks
 * the record's top-level keys and counts the strings of "image" (or, without one, "images", as the
 * format reads them). null when unsure (the caller parses): neither key in the bytes given, a key with
 * an escape, a value of another shape. One pass over the bytes before the key, in the record's bytes
 * only (searching `buf` for the keys went on to the end of the chunk when a record lacked one).
 */
export function imageCountFromBytes(buf: Buffer, s: number, e: number): number | null {
  let q = s;
  while (q < e && isWs(buf[q])) q++;
  if (q >= e || buf[q] !== 0x7b) return null;
  q++;
  let images: number | undefined; // the "images" count, when that key came first
  for (;;) {
    while (q < e && isWs(buf[q])) q++;
    if (q >= e) return null;
    const c = buf[q];
    if (c === 0x7d) return images ?? null;
    if (c === 0x2c) {
      q++;
      continue;
    }
    if (c !== 0x22) return null;
    // A key: which one, without decoding (one with an escape: unsure).
    let k = q + 1;
    while (k < e && buf[k] !== 0x22 && buf[k] !== 0x5c) k++;
    if (k >= e || buf[k] === 0x5c) return null;
    const len = k - q - 1;
    const named =
      (len === 5 || (len === 6 && buf[q + 6] === 0x73)) &&
      buf[q + 1] === 0x69 && // "image", byte by byte (Buffer.compare costs more than the whole walk)
      buf[q + 2] === 0x6d &&
      buf[q + 3] === 0x61 &&
      buf[q + 4] === 0x67 &&
      buf[q + 5] === 0x65;
    q = k + 1;
    while (q < e && isWs(buf[q])) q++;
    if (q >= e || buf[q] !== 0x3a) return null;
    q++;
    while (q < e && isWs(buf[q])) q++;
    if (q >= e) return null;
    if (named) {
      const n = countImages(buf, q, e);
      if (n === null || len === 5) return n; // "image" wins over "images" (image ?? images)
      images = n;
    }
    q = skipValue(buf, q, e);
    if (q < 0) return null;
  }
}

/** Group size of every record: image fields read from record bytes, full parse when unsure. */
export function groupSizes(ds: Dataset): Int32Array {
  // Kept in the persistent index (indexCache.ts): a cached reopen answers without reading records.
  return Int32Array.from(ds.cachedColumn(`groupSizes/${ds.format}`, () => computeGroupSizes(ds)));
}

function computeGroupSizes(ds: Dataset): Int32Array {
  const out = new Int32Array(ds.count);
  const quick = ds.format === 'llava';
  ds.forEachRawBytes(
    (i, buf, s, e) => {
      if (quick) {
        const n = imageCountFromBytes(buf, s, e);
        if (n !== null) {
          out[i] = n;
          return;
        }
      }
      if (quick) {
        try {
          out[i] = ds.item(i).groupSize;
        } catch {
          out[i] = -1;
        }
        return;
      }
      // Whole records are in the chunk: parse them from it (one read per chunk, not one per record).
      const p = parseRaw(buf.toString('utf8', s, e), i, ds.index.line(i));
      out[i] = p.ok ? ds.itemFrom(i, p.value, p.raw, false).groupSize : -1;
    },
    quick ? HEAD : Infinity,
  );
  return out;
}

/**
 * The stratum of every record (undefined = outside every stratum, e.g. not covered by a range, or
 * a record that cannot be parsed). Stratum names are strings.
 */
export function assignStrata(ds: Dataset, spec: StrataSpec): (string | undefined)[] {
  const n = ds.count;
  const out: (string | undefined)[] = new Array(n);
  switch (spec.kind) {
    case 'none':
      out.fill('all');
      return out;
    case 'ranges':
      for (const r of spec.ranges) for (let i = r.from; i <= Math.min(r.to, n - 1); i++) out[i] = r.name;
      return out;
    case 'groupSize': {
      const g = groupSizes(ds);
      for (let i = 0; i < n; i++) out[i] = g[i] >= 0 ? String(g[i]) : undefined;
      return out;
    }
    case 'field':
      ds.forEachRaw((i, head) => {
        let v = quickField(head, spec.field, ds.index.end(i) - ds.index.start(i) <= HEAD);
        if (v === null) {
          const p = ds.parse(i);
          v = p.ok && p.value && typeof p.value === 'object' ? (p.value as Record<string, unknown>)[spec.field] : undefined;
        }
        out[i] = v === undefined || v === null ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v);
      }, HEAD);
      return out;
  }
}

/** Orders stratum names: numbers numerically, then text by code points (same on every machine). */
export function compareStrata(a: string, b: string): number {
  const na = /^-?\d+$/.test(a),
    nb = /^-?\d+$/.test(b);
  if (na && nb) return Number(a) - Number(b);
  if (na !== nb) return na ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
