/** Content hashes used to detect drift between a plan and the file it was drawn from. */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';

/** Hash of a record's raw text: sha1, first 16 hex digits. */
export function recordHash(raw: string | Buffer): string {
  return createHash('sha1').update(raw).digest('hex').slice(0, 16);
}

/** Cheap file fingerprint: sha256 of the size, the first and the last 64 KiB. */
export function fileFingerprint(filePath: string): string {
  const fd = fs.openSync(filePath, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const h = createHash('sha256').update(String(size));
    const buf = Buffer.alloc(Math.min(65536, size));
    fs.readSync(fd, buf, 0, buf.length, 0);
    h.update(buf);
    if (size > 65536) {
      const n = Math.min(65536, size - 65536);
      const tail = Buffer.alloc(n);
      fs.readSync(fd, tail, 0, n, size - n);
      h.update(tail);
    }
    return h.digest('hex').slice(0, 16);
  } finally {
    fs.closeSync(fd);
  }
}
