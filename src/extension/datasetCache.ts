/**
 * Open datasets shared by every editor, preview and command: one record index per file, built once
 * (a 282 MB file takes seconds to index), rebuilt when the file changes on disk, closed when the
 * last user releases it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset } from '../core/dataset';

interface Entry {
  ds: Dataset;
  mtimeMs: number;
  size: number;
  users: number;
}

export class DatasetCache {
  private readonly open = new Map<string, Entry>();

  /** The dataset at `file`, opened (or re-opened if it changed) and counted as used until release(). */
  acquire(file: string): Dataset {
    const abs = path.resolve(file);
    const st = fs.statSync(abs);
    let e = this.open.get(abs);
    if (e && (e.mtimeMs !== st.mtimeMs || e.size !== st.size)) {
      if (e.users === 0) e.ds.close();
      this.open.delete(abs);
      const users = e.users;
      e = { ds: Dataset.open(abs), mtimeMs: st.mtimeMs, size: st.size, users };
      this.open.set(abs, e);
    }
    if (!e) {
      e = { ds: Dataset.open(abs), mtimeMs: st.mtimeMs, size: st.size, users: 0 };
      this.open.set(abs, e);
    }
    e.users++;
    return e.ds;
  }

  release(ds: Dataset): void {
    const e = this.open.get(ds.path);
    if (!e || e.ds !== ds) {
      ds.close();
      return;
    }
    e.users--;
    if (e.users <= 0) {
      e.ds.close();
      this.open.delete(ds.path);
    }
  }

  dispose(): void {
    for (const e of this.open.values()) e.ds.close();
    this.open.clear();
  }
}
