/**
 * Output of a build run: JSONL, one whole record per line, appended and fsynced, so the file never
 * holds half a record. On reopen, a torn last line (crash mid-write) is cut off and the ids already
 * written are returned, so the run continues where it stopped.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export class RecordWriter {
  private fd: number;
  readonly doneIds = new Set<string>();
  /** Bytes cut from the end of the file on open (a torn line). */
  readonly truncatedBytes: number;

  constructor(
    readonly file: string,
    opts: { fresh?: boolean } = {},
  ) {
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    let cut = 0;
    if (!opts.fresh && fs.existsSync(file)) {
      const buf = fs.readFileSync(file);
      const lastNl = buf.lastIndexOf(0x0a);
      const whole = lastNl + 1;
      if (whole < buf.length) {
        cut = buf.length - whole;
        fs.truncateSync(file, whole);
      }
      for (const line of buf.subarray(0, whole).toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        const id = (JSON.parse(line) as { id?: unknown }).id;
        if (typeof id === 'string') this.doneIds.add(id);
      }
    }
    this.truncatedBytes = cut;
    this.fd = fs.openSync(file, opts.fresh ? 'w' : 'a');
  }

  write(record: { id: string }): void {
    fs.writeSync(this.fd, JSON.stringify(record) + '\n');
    fs.fsyncSync(this.fd);
    this.doneIds.add(record.id);
  }

  close(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}
