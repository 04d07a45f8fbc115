/**
 * Cache of finished model calls, so a rerun after a crash or cancel repeats none of them: an
 * append-only JSONL journal `{k, v}` keyed by a hash of endpoint, model, parameters and prompt. Each
 * line is written whole and fsynced; a torn last line is ignored on load.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export function callKey(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

export class CallCache {
  private readonly entries = new Map<string, string>();
  /** Lines that could not be parsed (a torn tail after a crash). */
  readonly tornLines: number;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    let torn = 0;
    if (fs.existsSync(file)) {
      const text = fs.readFileSync(file, 'utf8');
      for (const line of text.split('\n')) {
        if (!line.trim()) continue;
        try {
          const e = JSON.parse(line) as { k: string; v: string };
          if (typeof e.k === 'string' && typeof e.v === 'string') this.entries.set(e.k, e.v);
        } catch {
          torn++;
        }
      }
      // a torn last line has no newline: end the file with one so the next append starts clean
      if (text.length > 0 && !text.endsWith('\n')) fs.appendFileSync(file, '\n');
    }
    this.tornLines = torn;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): string | undefined {
    return this.entries.get(key);
  }

  put(key: string, value: string): void {
    const fd = fs.openSync(this.file, 'a');
    try {
      fs.writeSync(fd, JSON.stringify({ k: key, v: value }) + '\n');
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.entries.set(key, value);
  }
}
