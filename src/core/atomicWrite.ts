/**
 * Write-to-temp-then-rename (ARCHITECTURE.md, "Files the curator writes"): a reader sees the old
 * file or the new one, never half of one. The temporary file sits beside the target (same file
 * system, so the rename is atomic) and is named `.tmp-<pid>-<n>-<name>`, so folder scans can skip
 * it; it is removed when the write fails.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

let counter = 0;

/** A fresh temporary name beside `file`. */
export function tempNameFor(file: string): string {
  return path.join(path.dirname(file), `.tmp-${process.pid}-${++counter}-${path.basename(file)}`);
}

export interface AtomicWriteOptions {
  /** Flush the data to disk before the rename (files whose loss would lose work: plans, builds). */
  fsync?: boolean;
}

/** Replaces `file` with `data` atomically; creates its folder when missing. */
export function writeFileAtomic(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempNameFor(file);
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeFileSync(fd, data);
      if (opts.fsync) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Runs `write(tmp)` for a temporary name beside `file`, then renames it into place. */
export async function replaceFileAtomic<T>(file: string, write: (tmp: string) => Promise<T>): Promise<T> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = tempNameFor(file);
  try {
    const r = await write(tmp);
    await fs.promises.rename(tmp, file);
    return r;
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
}
