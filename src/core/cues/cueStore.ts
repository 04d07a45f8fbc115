/**
 * The cue cache under `<curation folder>/cues/` (ARCHITECTURE.md, "Image cues and label claims"): cues keyed by the
 * image's content hash, and a file table (real path, size, mtime → content hash) so that a re-run
 * finds the cues of unchanged files without opening them. Both are append-only JSONL; a torn or
 * foreign line is skipped, the last line for a key wins. The version in the file names changes when
 * a cue's definition does, so old values are never mixed with new ones.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImageCues } from './measureImage';

export const CUE_VERSION = 1;

export interface FileStamp {
  size: number;
  mtimeMs: number;
}

interface FileLine {
  path: string;
  size: number;
  mtimeMs: number;
  hash: string;
}
interface CueLine {
  hash: string;
  cues: ImageCues;
}

export class CueStore {
  private readonly files = new Map<string, FileLine>();
  private readonly cues = new Map<string, ImageCues>();
  private pendingFiles: string[] = [];
  private pendingCues: string[] = [];

  private constructor(readonly dir: string) {}

  static open(dir: string): CueStore {
    const s = new CueStore(dir);
    for (const l of readLines<FileLine>(s.filesPath)) if (typeof l.path === 'string' && typeof l.hash === 'string') s.files.set(l.path, l);
    for (const l of readLines<CueLine>(s.cuesPath)) if (typeof l.hash === 'string' && l.cues && typeof l.cues === 'object') s.cues.set(l.hash, l.cues);
    return s;
  }

  get filesPath(): string {
    return path.join(this.dir, `files-v${CUE_VERSION}.jsonl`);
  }
  get cuesPath(): string {
    return path.join(this.dir, `cues-v${CUE_VERSION}.jsonl`);
  }

  /** The content hash recorded for this file, if its size and mtime are unchanged. */
  hashOf(realPath: string, stamp: FileStamp): string | undefined {
    const f = this.files.get(realPath);
    return f && f.size === stamp.size && f.mtimeMs === stamp.mtimeMs ? f.hash : undefined;
  }

  get(hash: string): ImageCues | undefined {
    return this.cues.get(hash);
  }

  put(realPath: string, stamp: FileStamp, hash: string, cues: ImageCues): void {
    const f = this.files.get(realPath);
    if (!f || f.hash !== hash || f.size !== stamp.size || f.mtimeMs !== stamp.mtimeMs) {
      const line: FileLine = { path: realPath, size: stamp.size, mtimeMs: stamp.mtimeMs, hash };
      this.files.set(realPath, line);
      this.pendingFiles.push(JSON.stringify(line));
    }
    if (!this.cues.has(hash)) {
      this.cues.set(hash, cues);
      this.pendingCues.push(JSON.stringify({ hash, cues } satisfies CueLine));
    }
    if (this.pendingFiles.length + this.pendingCues.length >= 512) this.flush();
  }

  /** Appends what was measured since the last flush. */
  flush(): void {
    if (this.pendingFiles.length === 0 && this.pendingCues.length === 0) return;
    fs.mkdirSync(this.dir, { recursive: true });
    if (this.pendingCues.length) fs.appendFileSync(this.cuesPath, this.pendingCues.join('\n') + '\n');
    if (this.pendingFiles.length) fs.appendFileSync(this.filesPath, this.pendingFiles.join('\n') + '\n');
    this.pendingCues = [];
    this.pendingFiles = [];
  }
}

function* readLines<T>(file: string): Generator<T> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return;
  }
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      yield JSON.parse(line) as T;
    } catch {
      /* a torn last line after a crash */
    }
  }
}
