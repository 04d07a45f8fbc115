/**
 * Image type and pixel dimensions read from the first bytes of a file (PNG, JPEG, GIF, BMP, WebP),
 * without decoding the image.
 */
import * as fs from 'node:fs';

export interface ImageHeader {
  type: 'png' | 'jpeg' | 'gif' | 'bmp' | 'webp';
  width: number;
  height: number;
}

/** Reads the header of an image file; undefined when the type is not recognised. */
export function readImageHeader(file: string): ImageHeader | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 16);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return parseImageHeader(buf.subarray(0, n), fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Parses an image header; `fd` lets JPEG scanning read past the first bytes when needed. */
export function parseImageHeader(b: Buffer, fd?: number): ImageHeader | undefined {
  if (b.length >= 24 && b.readUInt32BE(0) === 0x89504e47 && b.toString('ascii', 12, 16) === 'IHDR') {
    return { type: 'png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (b.length >= 10 && (b.toString('ascii', 0, 6) === 'GIF87a' || b.toString('ascii', 0, 6) === 'GIF89a')) {
    return { type: 'gif', width: b.readUInt16LE(6), height: b.readUInt16LE(8) };
  }
  if (b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d) {
    return { type: 'bmp', width: Math.abs(b.readInt32LE(18)), height: Math.abs(b.readInt32LE(22)) };
  }
  if (b.length >= 30 && b.toString('ascii', 0, 4) === 'RIFF' && b.toString('ascii', 8, 12) === 'WEBP') {
    const chunk = b.toString('ascii', 12, 16);
    if (chunk === 'VP8 ') return { type: 'webp', width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
    if (chunk === 'VP8L') {
      const v = b.readUInt32LE(21);
      return { type: 'webp', width: (v & 0x3fff) + 1, height: ((v >> 14) & 0x3fff) + 1 };
    }
    if (chunk === 'VP8X') return { type: 'webp', width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) return jpegSize(b, fd);
  return undefined;
}

/** Walks JPEG segments to the first start-of-frame marker. */
function jpegSize(first: Buffer, fd?: number): ImageHeader | undefined {
  let buf = first;
  let base = 0; // file offset of buf[0]
  let pos = 2;
  const ensure = (need: number): boolean => {
    if (pos - base + need <= buf.length) return true;
    if (fd === undefined) return false;
    const next = Buffer.alloc(Math.max(need, 1 << 16));
    const n = fs.readSync(fd, next, 0, next.length, pos);
    if (n < need) return false;
    buf = next.subarray(0, n);
    base = pos;
    return true;
  };
  for (let guard = 0; guard < 10000; guard++) {
    if (!ensure(4)) return undefined;
    let o = pos - base;
    if (buf[o] !== 0xff) return undefined;
    const marker = buf[o + 1];
    if (marker === 0xff) {
      pos += 1;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2;
      continue;
    }
    const len = buf.readUInt16BE(o + 2);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (!ensure(9)) return undefined;
      o = pos - base;
      return { type: 'jpeg', height: buf.readUInt16BE(o + 5), width: buf.readUInt16BE(o + 7) };
    }
    pos += 2 + len;
  }
  return undefined;
}
