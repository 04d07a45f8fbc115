/**
 * The label audit of a dataset (ARCHITECTURE.md, "Image cues and label claims"): every image's cues (cached, worker
 * pool), every label's claims checked against them, and a suspicion score per item. Broken records
 * and unreadable images are reported and never stop the rest.
 */
import * as path from 'node:path';
import type { Dataset } from '../dataset';
import { resolveImagePath } from '../imagePaths';
import { cuesForFiles, type CueResult, type CueRunStats } from '../cues/imageCues';
import type { ImageCues } from '../cues/measureImage';
import { CueStore } from '../cues/cueStore';
import { curationFolderFor } from '../plan';
import { checkClaims, suspicion, type CheckedClaim } from './checkClaims';
import { parseClaims } from './parseClaims';

export interface AuditedImage {
  /** The path as written in the record. */
  path: string;
  cues?: ImageCues;
  error?: string;
}

export interface AuditedItem {
  index: number;
  key: string;
  suspicion: number;
  images: AuditedImage[];
  claims: CheckedClaim[];
}

export interface AuditOptions {
  /** Folder image paths resolve against (default: the dataset's folder). */
  imageRoot?: string;
  /** Curation folder whose `cues/` holds the cache (default: `.curator/` beside the dataset). */
  curationFolder?: string;
  workers?: number;
  /** Only these record indices (default: all). */
  indices?: number[];
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface AuditResult {
  items: AuditedItem[];
  stats: CueRunStats;
  /** "record 7 (line 40): …" for records that could not be read. */
  warnings: string[];
}

export async function auditDataset(ds: Dataset, opts: AuditOptions = {}): Promise<AuditResult> {
  const root = path.resolve(opts.imageRoot ?? ds.folder);
  const store = CueStore.open(path.join(opts.curationFolder ?? curationFolderFor(ds.path), 'cues'));
  const indices = opts.indices ?? Array.from({ length: ds.count }, (_, i) => i);
  const warnings: string[] = [];
  const files = new Set<string>();
  const resolved = new Map<string, { ok: true; abs: string } | { ok: false; reason: string }>();
  const readable: number[] = [];
  for (const i of indices) {
    let images: string[];
    try {
      images = ds.item(i).images;
    } catch (e) {
      warnings.push((e as Error).message);
      continue;
    }
    readable.push(i);
    for (const p of images) {
      if (resolved.has(p)) continue;
      const r = resolveImagePath(p, root);
      resolved.set(p, r.ok ? { ok: true, abs: r.abs } : { ok: false, reason: r.reason });
      if (r.ok) files.add(r.abs);
    }
  }
  const { results, stats } = await cuesForFiles([...files], store, { workers: opts.workers, onProgress: opts.onProgress, signal: opts.signal });
  const items: AuditedItem[] = [];
  for (const i of readable) {
    const item = ds.item(i);
    const images: AuditedImage[] = item.images.map((p) => {
      const r = resolved.get(p);
      if (!r || !r.ok) return { path: p, error: r && !r.ok ? r.reason : 'not resolved' };
      const c: CueResult | undefined = results.get(r.abs);
      return c?.ok ? { path: p, cues: c.cues } : { path: p, error: c && !c.ok ? c.error : 'not measured' };
    });
    const claims = checkClaims(
      parseClaims(item.label ?? '', item.images.length),
      images.map((x) => x.cues),
    );
    items.push({ index: item.index, key: item.key, suspicion: suspicion(claims), images, claims });
  }
  return { items, stats, warnings };
}
