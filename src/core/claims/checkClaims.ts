/**
 * Checks parsed claims against measured cues (ARCHITECTURE.md, "Image cues and label claims"). A relative claim
 * (greater, less, most, least, ranking) contradicts the cues when the measured order disagrees by
 * more than the attribute's margin on its comparison scale, and agrees when the order matches; a
 * disagreement within the margin is too close to call and stays unchecked. Absolute claims use
 * fixed thresholds per attribute. Overall quality is never checked: no combination of these cues is
 * calibrated against human quality judgements here (see the README's figures).
 */
import type { ImageCues } from '../cues/measureImage';
import type { Attribute } from './claimLexicon';
import type { Claim } from './parseClaims';

export type ClaimStatus = 'agrees' | 'contradicts' | 'unchecked';

export interface CheckedClaim extends Claim {
  status: ClaimStatus;
  /** 0–1: how far beyond the margin (contradicts) or how clearly (agrees); 0 when unchecked. */
  strength: number;
  /** The cue value of each image in `images` (undefined when unmeasured). */
  values: (number | undefined)[];
  /** Why, in a few words: "sharpness 812 vs 95", "no cue for overall quality". */
  reason: string;
}

/** Which cue each attribute is checked against; quality has none. */
export const CUE_OF: Record<Attribute, keyof ImageCues | undefined> = {
  sharpness: 'sharpness',
  noise: 'noise',
  exposure: 'exposure',
  contrast: 'contrast',
  colourfulness: 'colourfulness',
  blockiness: 'blockiness',
  quality: undefined,
};

/**
 * The comparison scale of each cue: where equal steps mean equally visible changes. Sharpness and
 * colourfulness span orders of magnitude (log); noise too, offset so a clean image is not −∞.
 */
export function comparisonScale(attribute: Attribute, c: ImageCues): number | undefined {
  switch (attribute) {
    case 'sharpness':
      return Math.log(1 + c.sharpness);
    case 'noise':
      return Math.log(0.5 + c.noise);
    case 'exposure':
      return c.exposure;
    case 'contrast':
      return c.contrast;
    case 'colourfulness':
      return Math.log(1 + c.colourfulness);
    case 'blockiness':
      return c.blockiness;
    default:
      return undefined;
  }
}

/**
 * Margins on the comparison scale: the 95th percentile of |Δ| between a photo and the same photo
 * mirrored, cropped by 10 % and re-encoded as JPEG q95 (variations that change no attribute), over
 * the distortion-series sources. `npm run bench -- cues` measures them again and says if they moved.
 */
export const MARGINS: Record<Exclude<Attribute, 'quality'>, number> = {
  sharpness: 0.25,
  noise: 0.3,
  exposure: 0.025,
  contrast: 0.012,
  colourfulness: 0.15,
  blockiness: 0.3,
};

/**
 * Absolute claims: a "high" claim is contradicted below `contradictBelow`, agreed with at or above
 * `agreeAbove`; a "low" claim the other way round (contradicted above `contradictAbove`, agreed at or
 * below `agreeBelow`). Between them: unchecked. Set from the distortion series (README, "Label audit").
 */
interface AbsoluteRule {
  highContra: number;
  highAgree: number;
  lowContra: number;
  lowAgree: number;
}
export const ABSOLUTE: Record<Exclude<Attribute, 'quality' | 'exposure'>, AbsoluteRule> = {
  sharpness: { highContra: 40, highAgree: 400, lowContra: 700, lowAgree: 120 },
  noise: { highContra: 1.5, highAgree: 7, lowContra: 10, lowAgree: 3 },
  contrast: { highContra: 0.1, highAgree: 0.25, lowContra: 0.28, lowAgree: 0.12 },
  colourfulness: { highContra: 15, highAgree: 45, lowContra: 60, lowAgree: 20 },
  blockiness: { highContra: 1.05, highAgree: 1.3, lowContra: 1.5, lowAgree: 1.1 },
};

const fmt = (x: number | undefined): string => (x === undefined ? '?' : Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toFixed(3));

/** Checks every claim of one item; `cues[i]` are the cues of image i + 1 (undefined: not measured). */
export function checkClaims(claims: Claim[], cues: (ImageCues | undefined)[]): CheckedClaim[] {
  return claims.map((c) => checkClaim(c, cues));
}

export function checkClaim(claim: Claim, cues: (ImageCues | undefined)[]): CheckedClaim {
  const key = CUE_OF[claim.attribute];
  const values = claim.images.map((i) => (key ? (cues[i - 1]?.[key] as number | undefined) : undefined));
  const result = (status: ClaimStatus, strength: number, reason: string): CheckedClaim => ({ ...claim, status, strength, values, reason });
  if (!key || claim.attribute === 'quality') return result('unchecked', 0, 'overall quality: no calibrated combination of cues');
  const attribute = claim.attribute;
  const scale = (i: number) => {
    const c = cues[i - 1];
    return c ? comparisonScale(attribute, c) : undefined;
  };
  if (claim.images.some((i) => cues[i - 1] === undefined)) return result('unchecked', 0, 'an image could not be measured');
  const margin = MARGINS[attribute];
  const named = `${attribute} ${values.map(fmt).join(' vs ')}`;

  /** Δ > 0 when the measurement agrees that `a` has more than `b`. */
  const pair = (a: number, b: number): number => (scale(a) as number) - (scale(b) as number);
  const verdict = (deltas: number[], text: string): CheckedClaim => {
    const worst = Math.min(...deltas);
    if (worst < -margin) return result('contradicts', 1 - Math.exp(-(-worst - margin) / margin), `${text}: measured the other way beyond the margin ${margin}`);
    if (worst >= 0) return result('agrees', 1 - Math.exp(-Math.max(0, worst) / margin), text);
    return result('unchecked', 0, `${text}: within the margin ${margin}`);
  };
  const others = (i: number) => cues.map((_, k) => k + 1).filter((k) => k !== i && cues[k - 1] !== undefined);

  switch (claim.relation) {
    case 'greater':
    case 'less': {
      const sign = claim.relation === 'greater' ? 1 : -1;
      const [a, b] = claim.images;
      if (b !== undefined) return verdict([sign * pair(a, b)], named);
      const rest = others(a)
        .map((k) => scale(k) as number)
        .sort((x, y) => x - y);
      if (rest.length === 0) return result('unchecked', 0, 'no other image to compare with');
      const median = rest[Math.floor(rest.length / 2)];
      return verdict([sign * ((scale(a) as number) - median)], `${named} vs the others' median`);
    }
    case 'most':
    case 'least': {
      const sign = claim.relation === 'most' ? 1 : -1;
      const a = claim.images[0];
      const rest = others(a);
      if (rest.length === 0) return result('unchecked', 0, 'no other image to compare with');
      const all = cues.map((c) => (c ? fmt(c[key] as number) : '?')).join(', ');
      return verdict(
        rest.map((k) => sign * pair(a, k)),
        `${attribute} of each image: ${all}`,
      );
    }
    case 'ranking': {
      const d: number[] = [];
      for (let i = 0; i < claim.images.length; i++) for (let j = i + 1; j < claim.images.length; j++) d.push(pair(claim.images[i], claim.images[j]));
      return verdict(d, named);
    }
    case 'high':
    case 'low':
      if (claim.hedged) return result('unchecked', 0, `hedged ("slight", "mild", …); ${named}`);
      return absolute(claim, cues[claim.images[0] - 1] as ImageCues, result);
  }
}

function absolute(claim: Claim, c: ImageCues, result: (s: ClaimStatus, strength: number, reason: string) => CheckedClaim): CheckedClaim {
  const high = claim.relation === 'high';
  if (claim.attribute === 'exposure') {
    const detail = `mean luma ${fmt(c.exposure)}, highlights clipped ${(100 * c.clippedHighlights).toFixed(1)} %, shadows clipped ${(100 * c.clippedShadows).toFixed(1)} %`;
    if (high) {
      if (c.clippedHighlights >= 0.02 || c.exposure >= 0.65) return result('agrees', 0.5, detail);
      if (c.clippedHighlights < 0.005 && c.exposure < 0.4)
        return result('contradicts', 0.5 + 0.5 * Math.min(1, (0.4 - c.exposure) / 0.25), `said overexposed; ${detail}`);
    } else {
      if (c.clippedShadows >= 0.05 || c.exposure <= 0.3) return result('agrees', 0.5, detail);
      if (c.clippedShadows < 0.005 && c.exposure > 0.5)
        return result('contradicts', 0.5 + 0.5 * Math.min(1, (c.exposure - 0.5) / 0.25), `said underexposed; ${detail}`);
    }
    return result('unchecked', 0, `between the thresholds; ${detail}`);
  }
  const rule = ABSOLUTE[claim.attribute as keyof typeof ABSOLUTE];
  const key = CUE_OF[claim.attribute] as keyof ImageCues;
  const v = c[key] as number;
  const detail = `${claim.attribute} ${fmt(v)}`;
  if (high) {
    if (v >= rule.highAgree) return result('agrees', 0.5, detail);
    if (v < rule.highContra)
      return result('contradicts', 0.5 + 0.5 * Math.min(1, (rule.highContra - v) / rule.highContra), `said high; ${detail} < ${rule.highContra}`);
  } else {
    if (v <= rule.lowAgree) return result('agrees', 0.5, detail);
    if (v > rule.lowContra)
      return result('contradicts', 0.5 + 0.5 * Math.min(1, (v - rule.lowContra) / rule.lowContra), `said low; ${detail} > ${rule.lowContra}`);
  }
  return result('unchecked', 0, `between the thresholds; ${detail}`);
}

/**
 * Suspicion of one item in [0, 1): C / (C + A + ½), C the summed strength of its contradicted claims,
 * A of its agreeing ones. 0 without a contradiction; one clear contradiction alone ≈ 0.6; more, or
 * contradictions outweighing agreements, approach 1.
 */
export function suspicion(checked: CheckedClaim[]): number {
  let c = 0,
    a = 0;
  for (const x of checked) {
    if (x.status === 'contradicts') c += x.strength;
    else if (x.status === 'agrees') a += x.strength;
  }
  return c === 0 ? 0 : c / (c + a + 0.5);
}
