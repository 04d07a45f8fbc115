/**
 * Opening input files that must be regular files (datasets; journals may use it too). A FIFO, a
 * device (/dev/zero, /dev/urandom), a socket or a folder — directly or through a symlink — is
 * refused with one line naming the path, before a byte is read: a FIFO would block every command,
 * a device would stream forever.
 */
import * as fs from 'node:fs';

/** A path that exists but is not a regular file. */
export class NotRegularFileError extends Error {
  readonly code = 'ENOTREG';
  constructor(
    readonly path: string,
    readonly kind: string,
    what: string,
  ) {
    super(`${path}: is ${kind}, not a regular file; a ${what} must be a regular file`);
  }
}

/** What kind of file system object a stat describes, in words. */
export function fileKind(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  if (st.isFile()) return 'a regular file';
  return 'not a file';
}

/** Throws NotRegularFileError unless `file` (after symlinks) is a regular file. */
export function assertRegularFile(file: string, what = 'dataset'): fs.Stats {
  const st = fs.statSync(file);
  if (!st.isFile()) throw new NotRegularFileError(file, fileKind(st), what);
  return st;
}

/**
 * Opens `file` for reading and checks, on the open descriptor, that it is a regular file. The stat
 * before opening keeps a FIFO from blocking open(); O_NONBLOCK covers a swap between stat and open;
 * the fstat after it is the answer that counts.
 */
export function openRegularFile(file: string, what = 'dataset'): { fd: number; stat: fs.Stats } {
  assertRegularFile(file, what);
  const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new NotRegularFileError(file, fileKind(stat), what);
    return { fd, stat };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}
