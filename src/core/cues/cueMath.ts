/**
 * The pixel arithmetic of the image cues (ARCHITECTURE.md, "Image cues and label claims"): pure functions over raw
 * 8-bit pixels, no I/O. Definitions, scales and directions are listed in the README ("Label audit").
 *
 * Luma is BT.601 (Y = 0.299 R + 0.587 G + 0.114 B, 0–255), the same luma JPEG stores.
 */

export interface WorkingCues {
  /**
   * Noise-compensated variance of the 4-neighbour Laplacian of luma (luma² units): var(∇²Y) − 20·noise²
   * (white noise of σ adds 20σ² to it, the sum of the squared kernel weights), floored at 0. Larger = sharper.
   */
  sharpness: number;
  /** Immerkær's fast noise estimate on luma, edges excluded: a standard deviation in luma units (0–255). Larger = noisier. */
  noise: number;
  /** Mean luma / 255, in [0, 1]. Larger = brighter. */
  exposure: number;
  /** Fraction of pixels with luma ≤ 4 (crushed shadows), in [0, 1]. */
  clippedShadows: number;
  /** Fraction of pixels with luma ≥ 251 (blown highlights), in [0, 1]. */
  clippedHighlights: number;
  /** RMS contrast: standard deviation of luma / 255, in [0, 0.5]. Larger = more contrast. */
  contrast: number;
  /** Hasler–Süsstrunk colourfulness M on 0–255 RGB (0 = grey; ~100+ = extremely colourful). */
  colourfulness: number;
}

export const SHADOW_LUMA = 4;
export const HIGHLIGHT_LUMA = 251;
/** Share of the strongest Sobel gradients left out of the noise estimate (edges and texture). */
export const NOISE_EDGE_EXCLUSION = 0.1;
/** var(∇²n) / var(n) for white noise n: 1 + 1 + 1 + 1 + 4². */
export const LAPLACIAN_NOISE_GAIN = 20;

/** Luma of interleaved RGB (3 or more channels; only the first three are read). */
export function lumaOf(rgb: Uint8Array, width: number, height: number, channels: number): Float32Array {
  const n = width * height;
  const y = new Float32Array(n);
  for (let i = 0, p = 0; i < n; i++, p += channels) y[i] = 0.299 * rgb[p] + 0.587 * rgb[p + 1] + 0.114 * rgb[p + 2];
  return y;
}

/** Variance of the Laplacian [0 1 0; 1 −4 1; 0 1 0] over the interior pixels. */
export function laplacianVariance(y: Float32Array, w: number, h: number): number {
  if (w < 3 || h < 3) return 0;
  let s = 0,
    s2 = 0,
    n = 0;
  for (let r = 1; r < h - 1; r++) {
    const o = r * w;
    for (let c = 1; c < w - 1; c++) {
      const i = o + c;
      const l = y[i - 1] + y[i + 1] + y[i - w] + y[i + w] - 4 * y[i];
      s += l;
      s2 += l * l;
      n++;
    }
  }
  const m = s / n;
  return Math.max(0, s2 / n - m * m);
}

/**
 * Immerkær (1996) "Fast noise variance estimation": σ = √(π/2) · mean|I ∗ N| / 6 with
 * N = [1 −2 1; −2 4 −2; 1 −2 1], over interior pixels whose Sobel gradient magnitude is below the
 * (1 − NOISE_EDGE_EXCLUSION) quantile, so edges and strong texture are not taken for noise.
 */
export function immerkaerNoise(y: Float32Array, w: number, h: number): number {
  if (w < 3 || h < 3) return 0;
  const iw = w - 2,
    ih = h - 2;
  const grad = new Float32Array(iw * ih);
  const resp = new Float32Array(iw * ih);
  let gmax = 0;
  for (let r = 1; r < h - 1; r++) {
    for (let c = 1; c < w - 1; c++) {
      const i = r * w + c;
      const a = y[i - w - 1],
        b = y[i - w],
        cc = y[i - w + 1];
      const d = y[i - 1],
        e = y[i],
        f = y[i + 1];
      const g = y[i + w - 1],
        hh = y[i + w],
        k = y[i + w + 1];
      const gx = cc + 2 * f + k - a - 2 * d - g;
      const gy = g + 2 * hh + k - a - 2 * b - cc;
      const j = (r - 1) * iw + (c - 1);
      const m = Math.abs(gx) + Math.abs(gy);
      grad[j] = m;
      if (m > gmax) gmax = m;
      resp[j] = Math.abs(a - 2 * b + cc - 2 * d + 4 * e - 2 * f + g - 2 * hh + k);
    }
  }
  const threshold = quantileOf(grad, 1 - NOISE_EDGE_EXCLUSION, gmax);
  let s = 0,
    n = 0;
  for (let j = 0; j < grad.length; j++) {
    if (grad[j] <= threshold) {
      s += resp[j];
      n++;
    }
  }
  return n === 0 ? 0 : (Math.sqrt(Math.PI / 2) * s) / (6 * n);
}

/** Approximate quantile of non-negative values by a 4096-bin histogram. */
function quantileOf(v: Float32Array, q: number, max: number): number {
  if (max <= 0) return 0;
  const bins = 4096;
  const hist = new Uint32Array(bins);
  const scale = (bins - 1) / max;
  for (let j = 0; j < v.length; j++) hist[Math.floor(v[j] * scale)]++;
  const want = q * v.length;
  let acc = 0;
  for (let b = 0; b < bins; b++) {
    acc += hist[b];
    if (acc >= want) return (b + 1) / scale;
  }
  return max;
}

/** Mean luma, clipped fractions and RMS contrast. */
export function lumaStats(y: Float32Array): { exposure: number; clippedShadows: number; clippedHighlights: number; contrast: number } {
  let s = 0,
    s2 = 0,
    lo = 0,
    hi = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    s += v;
    s2 += v * v;
    if (v <= SHADOW_LUMA) lo++;
    else if (v >= HIGHLIGHT_LUMA) hi++;
  }
  const n = Math.max(1, y.length);
  const m = s / n;
  const sd = Math.sqrt(Math.max(0, s2 / n - m * m));
  return { exposure: m / 255, clippedShadows: lo / n, clippedHighlights: hi / n, contrast: sd / 255 };
}

/** Hasler & Süsstrunk (2003): M = √(σ_rg² + σ_yb²) + 0.3 √(μ_rg² + μ_yb²), rg = R − G, yb = (R + G)/2 − B. */
export function colourfulness(rgb: Uint8Array, width: number, height: number, channels: number): number {
  const n = width * height;
  if (n === 0) return 0;
  let srg = 0,
    srg2 = 0,
    syb = 0,
    syb2 = 0;
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    const r = rgb[p],
      g = rgb[p + 1],
      b = rgb[p + 2];
    const rg = r - g;
    const yb = 0.5 * (r + g) - b;
    srg += rg;
    srg2 += rg * rg;
    syb += yb;
    syb2 += yb * yb;
  }
  const mrg = srg / n,
    myb = syb / n;
  const vrg = Math.max(0, srg2 / n - mrg * mrg),
    vyb = Math.max(0, syb2 / n - myb * myb);
  return Math.sqrt(vrg + vyb) + 0.3 * Math.sqrt(mrg * mrg + myb * myb);
}

/**
 * JPEG blockiness on luma at the stored resolution, with the 8×8 grid starting at (0, 0) of `grey`
 * (callers cut windows at multiples of 16). For each direction: mean |difference| across block
 * boundaries (between pixel 7 and 8 of a block) divided by the mean |difference| at the other seven
 * positions; the cue is the mean of both directions. 1 = no block structure; larger = blockier.
 */
export function blockiness(grey: Uint8Array, w: number, h: number): number {
  const ratio = (sum: Float64Array, cnt: Float64Array): number | undefined => {
    if (cnt[7] === 0) return undefined;
    let other = 0,
      on = 0;
    for (let p = 0; p < 7; p++) {
      if (cnt[p] > 0) {
        other += sum[p] / cnt[p];
        on++;
      }
    }
    if (on === 0) return undefined;
    const inside = other / on;
    const edge = sum[7] / cnt[7];
    return (edge + 0.5) / (inside + 0.5); // +0.5 luma keeps flat areas from dividing by zero
  };
  const hs = new Float64Array(8),
    hc = new Float64Array(8),
    vs = new Float64Array(8),
    vc = new Float64Array(8);
  for (let r = 0; r < h; r++) {
    const o = r * w;
    for (let c = 0; c < w - 1; c++) {
      const p = c & 7;
      hs[p] += Math.abs(grey[o + c + 1] - grey[o + c]);
      hc[p]++;
    }
  }
  for (let r = 0; r < h - 1; r++) {
    const p = r & 7;
    const o = r * w;
    let s = 0;
    for (let c = 0; c < w; c++) s += Math.abs(grey[o + w + c] - grey[o + c]);
    vs[p] += s;
    vc[p] += w;
  }
  const a = ratio(hs, hc),
    b = ratio(vs, vc);
  if (a === undefined && b === undefined) return 1;
  if (a === undefined) return b as number;
  if (b === undefined) return a;
  return (a + b) / 2;
}

/** Every working-resolution cue of one RGB image. */
export function workingCues(rgb: Uint8Array, width: number, height: number, channels: number): WorkingCues {
  const y = lumaOf(rgb, width, height, channels);
  const noise = immerkaerNoise(y, width, height);
  return {
    sharpness: Math.max(0, laplacianVariance(y, width, height) - LAPLACIAN_NOISE_GAIN * noise * noise),
    noise,
    ...lumaStats(y),
    colourfulness: colourfulness(rgb, width, height, channels),
  };
}
