/**
 * The claims of one item (core claims/itemClaims.ts) as the webview's claims panel shows them
 * (protocol ItemClaimsView), for review and browse (ARCHITECTURE.md, "Image cues and label claims").
 */
import type { ItemClaims } from '../../core/claims/itemClaims';
import type * as P from '../../protocol';

export function toClaimsView(key: string, r: ItemClaims): P.ItemClaimsView {
  return {
    key,
    suspicion: r.suspicion,
    claims: r.claims.map((c) => ({
      text: c.text,
      attribute: c.attribute,
      images: c.images,
      relation: c.relation,
      status: c.status,
      ...(c.hedged ? { hedged: true } : {}),
      values: c.values.map((v) => (v === undefined || !Number.isFinite(v) ? null : v)),
      reason: c.reason,
    })),
    images: r.images.map((im) => {
      if (!im.cues) return { path: im.path, error: im.error ?? 'not measured' };
      const { sharpness, noise, exposure, contrast, colourfulness, blockiness, megapixels } = im.cues;
      return { path: im.path, cues: { sharpness, noise, exposure, contrast, colourfulness, blockiness, megapixels } };
    }),
    measured: r.stats.measured,
    cached: r.stats.cached,
  };
}
