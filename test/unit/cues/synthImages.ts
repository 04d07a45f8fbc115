/** Small test images made in the test: a synthetic scene and its distortion series (sharp). */
import sharp from 'sharp';

/** Seeded uniform random numbers (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 192×128 RGB scene: gradient sky, coloured blocks with hard edges, stripes and fine texture. */
export async function scene(seed = 1, width = 192, height = 128): Promise<Buffer> {
  const r = rng(seed);
  const px = Buffer.alloc(width * height * 3);
  const blocks = Array.from({ length: 7 }, () => ({
    x: r() * width,
    y: r() * height,
    w: 10 + r() * 50,
    h: 10 + r() * 40,
    c: [r() * 255, r() * 255, r() * 255],
  }));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let c = [90 + (100 * y) / height, 120 + (60 * x) / width, 170 - (50 * y) / height];
      for (const b of blocks) if (x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + b.h) c = b.c;
      const stripe = y > height * 0.7 ? 30 * Math.sin(x * 0.9) : 0;
      const tex = (r() - 0.5) * 6;
      const o = (y * width + x) * 3;
      for (let k = 0; k < 3; k++) px[o + k] = Math.max(0, Math.min(255, c[k] + stripe + tex));
    }
  }
  return sharp(px, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

export async function withNoise(png: Buffer, sigma: number, seed = 7): Promise<Buffer> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const r = rng(seed);
  const out = Buffer.from(data);
  for (let i = 0; i < out.length; i++) {
    const g = Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
    out[i] = Math.max(0, Math.min(255, Math.round(out[i] + sigma * g)));
  }
  return sharp(out, { raw: { width: info.width, height: info.height, channels: 3 } })
    .png()
    .toBuffer();
}

export const withBlur = (png: Buffer, sigma: number) => (sigma > 0 ? sharp(png).blur(sigma).png().toBuffer() : Promise.resolve(png));
export const withBrightness = (png: Buffer, f: number) => sharp(png).modulate({ brightness: f }).png().toBuffer();
export const withSaturation = (png: Buffer, f: number) => sharp(png).modulate({ saturation: f }).png().toBuffer();
export const withContrast = (png: Buffer, f: number) =>
  sharp(png)
    .linear(f, 128 * (1 - f))
    .png()
    .toBuffer();
export const asJpeg = (png: Buffer, quality: number) => sharp(png).jpeg({ quality, chromaSubsampling: '4:2:0' }).toBuffer();
