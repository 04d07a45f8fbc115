/**
 * Embeddings cached by text hash under `<curation folder>/embeddings/`, one append-only binary file per
 * embedder: records of [8-byte text hash][dim × float32]. Every text is embedded once across runs; a
 * torn last record (crash mid-write) is ignored.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Embedder } from './embedder';

export function textKey(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 16);
}

/** A file-name-safe slug of an embedder id, with a short hash so distinct ids never collide. */
export function embedderSlug(id: string): string {
  const readable = id
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(-60);
  return `${readable}-${createHash('sha1').update(id).digest('hex').slice(0, 8)}`;
}

export interface EmbedProgress {
  done: number;
  total: number;
  cached: number;
}

export class EmbeddingCache {
  private readonly vectors = new Map<string, Float32Array>();
  private dim = 0;
  readonly file: string;
  readonly metaFile: string;

  constructor(
    folder: string,
    readonly embedder: Embedder,
  ) {
    fs.mkdirSync(folder, { recursive: true });
    const slug = embedderSlug(embedder.id);
    this.file = path.join(folder, `${slug}.f32`);
    this.metaFile = path.join(folder, `${slug}.json`);
    this.load();
  }

  get size(): number {
    return this.vectors.size;
  }

  private load(): void {
    if (!fs.existsSync(this.metaFile) || !fs.existsSync(this.file)) return;
    const meta = JSON.parse(fs.readFileSync(this.metaFile, 'utf8')) as { dim: number; embedder: string };
    if (meta.embedder !== this.embedder.id || !(meta.dim > 0)) return;
    this.dim = meta.dim;
    const rec = 8 + 4 * this.dim;
    const buf = fs.readFileSync(this.file);
    const whole = Math.floor(buf.length / rec);
    for (let i = 0; i < whole; i++) {
      const off = i * rec;
      const key = buf.toString('hex', off, off + 8);
      // copy out of the file buffer (the copy is 4-byte aligned; records in the file need not be)
      const v = new Float32Array(Uint8Array.prototype.slice.call(buf, off + 8, off + rec).buffer);
      this.vectors.set(key, v);
    }
    if (whole * rec !== buf.length) fs.truncateSync(this.file, whole * rec); // drop a torn tail
  }

  get(text: string): Float32Array | undefined {
    return this.vectors.get(textKey(text));
  }

  private append(entries: [string, Float32Array][]): void {
    if (entries.length === 0) return;
    if (this.dim === 0) {
      this.dim = entries[0][1].length;
      fs.writeFileSync(this.metaFile, JSON.stringify({ embedder: this.embedder.id, dim: this.dim }) + '\n');
      fs.writeFileSync(this.file, Buffer.alloc(0));
    }
    const rec = 8 + 4 * this.dim;
    const buf = Buffer.alloc(rec * entries.length);
    entries.forEach(([key, v], i) => {
      if (v.length !== this.dim) throw new Error(`embedder returned ${v.length} dimensions, cache holds ${this.dim}`);
      buf.write(key, i * rec, 8, 'hex');
      for (let j = 0; j < this.dim; j++) buf.writeFloatLE(v[j], i * rec + 8 + 4 * j);
    });
    // Not fsynced per batch (a lost tail only costs recomputation, and a torn record is dropped on
    // load); embedAll syncs once when it finishes.
    fs.appendFileSync(this.file, buf);
  }

  private sync(): void {
    if (!fs.existsSync(this.file)) return;
    const fd = fs.openSync(this.file, 'r+');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  /**
   * Vectors for every text (unique texts embedded once, missing ones computed in batches and appended).
   */
  async embedAll(texts: string[], opts: { signal?: AbortSignal; onProgress?: (p: EmbedProgress) => void } = {}): Promise<Float32Array[]> {
    const keys = texts.map(textKey);
    const todo = new Map<string, string>();
    for (let i = 0; i < texts.length; i++) if (!this.vectors.has(keys[i]) && !todo.has(keys[i])) todo.set(keys[i], texts[i]);
    const unique = new Set(keys).size;
    const cached = unique - todo.size;
    const pending = [...todo.entries()];
    let done = cached;
    opts.onProgress?.({ done, total: unique, cached });
    const bs = Math.max(1, this.embedder.batchSize);
    try {
      for (let i = 0; i < pending.length; i += bs) {
        opts.signal?.throwIfAborted();
        const batch = pending.slice(i, i + bs);
        const vecs = await this.embedder.embed(
          batch.map(([, t]) => t),
          opts.signal,
        );
        const entries = batch.map(([k], j) => [k, vecs[j]] as [string, Float32Array]);
        this.append(entries);
        for (const [k, v] of entries) this.vectors.set(k, v);
        done += batch.length;
        opts.onProgress?.({ done, total: unique, cached });
      }
    } finally {
      if (pending.length) this.sync();
    }
    return keys.map((k) => this.vectors.get(k)!);
  }
}
