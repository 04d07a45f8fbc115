/**
 * The claims of one item's label checked against its images' cues (ARCHITECTURE.md, "Image cues
 * and label claims"), for the review's claims panel: the same steps as the dataset audit
 * (auditLabels.ts) on one item, with a cue cache the caller keeps open, so showing the next item reads
 * only what is not cached yet.
 */
import { isEmbeddedRef } from '../parquet/embeddedImages';
import { resolveImagePath } from '../imagePaths';
import { cuesForFiles, type CueRunStats } from '../cues/imageCues';
import type { CueStore } from '../cues/cueStore';
import type { AuditedImage } from './auditLabels';
import { checkClaims, suspicion, type CheckedClaim } from './checkClaims';
import { parseClaims } from './parseClaims';

export interface ItemClaims {
  suspicion: number;
  images: AuditedImage[];
  claims: CheckedClaim[];
  stats: CueRunStats;
}

export async function itemClaims(
  item: { label?: string; images: string[] },
  imageRoot: string,
  store: CueStore,
  opts: { workers?: number; signal?: AbortSignal } = {},
): Promise<ItemClaims> {
  const resolved = item.images.map((p) => {
    if (isEmbeddedRef(p)) return { ok: false as const, reason: 'images inside a parquet file are not measured' };
    const r = resolveImagePath(p, imageRoot);
    return r.ok ? { ok: true as const, abs: r.abs } : { ok: false as const, reason: r.reason };
  });
  const files = resolved.flatMap((r) => (r.ok ? [r.abs] : []));
  const { results, stats } = await cuesForFiles(files, store, { workers: opts.workers ?? Math.min(2, Math.max(1, files.length)), signal: opts.signal });
  const images: AuditedImage[] = item.images.map((p, i) => {
    const r = resolved[i];
    if (!r.ok) return { path: p, error: r.reason };
    const c = results.get(r.abs);
    return c?.ok ? { path: p, cues: c.cues } : { path: p, error: c && !c.ok ? c.error : 'not measured' };
  });
  const claims = checkClaims(
    parseClaims(item.label ?? '', item.images.length),
    images.map((x) => x.cues),
  );
  return { suspicion: suspicion(claims), images, claims, stats };
}
