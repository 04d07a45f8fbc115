/**
 * Strata for sampling: none, by group size, by a field's value, or by index ranges
 * ("ranges:Q-Instruct=0-200276,Merge2Compare=200277-302408,…"; a range may be open: "332301-").
 */
import type { Dataset } from './dataset';
import { imageList } from './formats/normalize';
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
    const ranges = s.slice(7).split(',').map((part) => {
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
    case 'none': return 'none';
    case 'groupSize': return 'groupSize';
    case 'field': return `field:${s.field}`;
    case 'ranges': return `ranges:${s.ranges.map((r) => `${r.name}=${r.from}-${r.to === Infinity ? '' : r.to}`).join(',')}`;
  }
}

const HEAD = 2048;

/** Group size of every record: image fields read from record heads, full parse when unsure. */
export function groupSizes(ds: Dataset): Int32Array {
  const out = new Int32Array(ds.count);
  const quick = ds.format === 'llava';
  ds.forEachRaw((i, head) => {
    if (quick) {
      const whole = ds.index.end(i) - ds.index.start(i) <= HEAD;
      let v = quickField(head, 'image', whole);
      if (v === undefined) v = quickField(head, 'images', whole);
      if (v !== null && v !== undefined) { out[i] = imageList(v).length; return; }
      if (v === undefined) { out[i] = 0; return; }
    }
    try { out[i] = ds.item(i).groupSize; } catch { out[i] = -1; }
  }, quick ? HEAD : Infinity);
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
  const na = /^-?\d+$/.test(a), nb = /^-?\d+$/.test(b);
  if (na && nb) return Number(a) - Number(b);
  if (na !== nb) return na ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
