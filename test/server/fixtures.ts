/** Dataset texts for language-server tests, built in memory (images from demo/images). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './lspClient';

export const DEMO = path.join(ROOT, 'demo');
export const BROKEN_DEMO = path.join(DEMO, 'broken-demo.json');
export const DEMO_IMAGES = fs
  .readdirSync(path.join(DEMO, 'images'))
  .filter((f) => /\.(jpe?g|png)$/i.test(f))
  .sort();

const ANSWER =
  'The second image has better quality than the first image. The first image shows strong white noise over the whole frame, ' +
  'and its fine texture is lost; the second image is sharper, with well-preserved detail and natural colours. ';

/** One valid two-image LLaVA record as a single JSON line of roughly `bytes` bytes. */
export function llavaLine(i: number, bytes = 0): string {
  const a = DEMO_IMAGES[i % DEMO_IMAGES.length];
  const b = DEMO_IMAGES[(i + 1) % DEMO_IMAGES.length];
  let answer = ANSWER;
  while (answer.length + 320 < bytes) answer += ANSWER;
  const rec = {
    id: `rec-${i}`,
    image: [`images/${a}`, `images/${b}`],
    conversations: [
      { from: 'human', value: 'The first image: <image>\nThe second image: <image>\nWhich image has better quality, and why?' },
      { from: 'gpt', value: bytes ? answer.slice(0, Math.max(ANSWER.length, bytes - 320)) : ANSWER },
    ],
  };
  return JSON.stringify(rec);
}

/** A JSONL dataset of `n` valid records, one per line. */
export function jsonlDataset(n: number, bytesPerLine = 0): string {
  const lines: string[] = new Array(n);
  for (let i = 0; i < n; i++) lines[i] = llavaLine(i, bytesPerLine);
  return lines.join('\n') + '\n';
}

/** The same records as a pretty-printed JSON array. */
export function arrayDataset(records: unknown[]): string {
  return JSON.stringify(records, null, 2) + '\n';
}
