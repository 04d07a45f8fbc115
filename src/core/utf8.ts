/**
 * Finding invalid UTF-8. Node decodes bad bytes to U+FFFD without a word; the curator reports them
 * instead (validate's `invalid-utf8` warning names the record and the byte offset).
 */
import { isUtf8 } from 'node:buffer';

/** Offset in `buf` of the first byte of the first invalid UTF-8 sequence in [from, to), or -1. */
export function firstInvalidUtf8(buf: Uint8Array, from = 0, to = buf.length): number {
  if (isUtf8(buf.subarray(from, to))) return -1;
  for (let k = from; k < to; ) {
    const b = buf[k];
    if (b < 0x80) {
      k++;
      continue;
    }
    let need: number;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) need = 2;
    else if (b >= 0xf0 && b <= 0xf4) need = 3;
    else return k;
    // Second-byte limits exclude overlong forms, surrogates and code points past U+10FFFF.
    let lo = 0x80,
      hi = 0xbf;
    if (b === 0xe0) lo = 0xa0;
    else if (b === 0xed) hi = 0x9f;
    else if (b === 0xf0) lo = 0x90;
    else if (b === 0xf4) hi = 0x8f;
    if (k + 1 >= to || buf[k + 1] < lo || buf[k + 1] > hi) return k;
    for (let j = 2; j <= need; j++) if (k + j >= to || (buf[k + j] & 0xc0) !== 0x80) return k;
    k += need + 1;
  }
  return -1;
}
