/**
 * Worker-thread entry of the cue pool (ARCHITECTURE.md, "Image cues and label claims"): reads an image file, hashes
 * its bytes and measures its cues. One libvips thread per worker; the pool runs one worker per core.
 */
import * as fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import sharp from 'sharp';
import { contentHash } from '../endpoint/imageEncoding';
import { measureImageBytes, type ImageCues } from './measureImage';

export interface CueJob {
  id: number;
  path: string;
}
export type CueJobResult = { id: number; ok: true; hash: string; bytes: number; cues: ImageCues } | { id: number; ok: false; error: string };

sharp.concurrency(1);
sharp.cache(false);

parentPort?.on('message', async (job: CueJob) => {
  try {
    const buf = fs.readFileSync(job.path);
    const hash = contentHash(buf);
    const cues = await measureImageBytes(buf);
    parentPort?.postMessage({ id: job.id, ok: true, hash, bytes: buf.length, cues } satisfies CueJobResult);
  } catch (e) {
    parentPort?.postMessage({ id: job.id, ok: false, error: (e as Error).message } satisfies CueJobResult);
  }
});
