/**
 * A pool of worker threads that measure image cues (ARCHITECTURE.md, "Image cues and label claims"), one per core by
 * default. Jobs queue in the main thread; each worker takes one image at a time. The worker script
 * sits beside this module: out/src/core/cues/cueWorker.js under tsc, dist/cueWorker.js in the bundles.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import 'sharp'; // sharp's native module is loaded by the main thread before any worker (as sharp asks)
import type { CueJob, CueJobResult } from './cueWorker';
import type { ImageCues } from './measureImage';

export interface Measured {
  hash: string;
  bytes: number;
  cues: ImageCues;
}

export function defaultPoolSize(): number {
  const n = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, n);
}

export function cueWorkerScript(): string {
  const beside = path.join(__dirname, 'cueWorker.js');
  if (fs.existsSync(beside)) return beside;
  throw new Error(`the cue worker script is missing: ${beside} (run npm run build)`);
}

interface Pending {
  job: CueJob;
  resolve: (m: Measured) => void;
  reject: (e: Error) => void;
}

export class CuePool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly running = new Map<Worker, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(
    readonly size = defaultPoolSize(),
    script = cueWorkerScript(),
  ) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(script);
      w.unref();
      w.on('message', (r: CueJobResult) => this.done(w, r));
      w.on('error', (e) => this.crashed(w, e));
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  /** Reads, hashes and measures one image file. */
  measure(absPath: string): Promise<Measured> {
    if (this.closed) return Promise.reject(new Error('the cue pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job: { id: this.nextId++, path: absPath }, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('the cue pool was closed'));
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop() as Worker;
      const p = this.queue.shift() as Pending;
      this.running.set(w, p);
      w.ref();
      w.postMessage(p.job);
    }
  }

  private done(w: Worker, r: CueJobResult): void {
    const p = this.running.get(w);
    this.running.delete(w);
    w.unref();
    this.idle.push(w);
    if (p) {
      if (r.ok) p.resolve({ hash: r.hash, bytes: r.bytes, cues: r.cues });
      else p.reject(new Error(`${p.job.path}: ${r.error}`));
    }
    this.pump();
  }

  private crashed(w: Worker, e: Error): void {
    const p = this.running.get(w);
    this.running.delete(w);
    const i = this.workers.indexOf(w);
    if (i >= 0) this.workers.splice(i, 1);
    p?.reject(new Error(`${p.job.path}: the cue worker failed: ${e.message}`));
    if (!this.closed && this.workers.length === 0) {
      for (const q of this.queue.splice(0)) q.reject(new Error('every cue worker failed'));
    }
  }
}
