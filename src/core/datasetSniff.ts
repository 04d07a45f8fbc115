/**
 * Is this text a dataset the curator understands? Decided from the first records only (the head of
 * the text), so it is cheap enough to run on every JSON file an editor opens.
 */
import { detectFormat } from './formats/detect';
import type { FormatId } from './item';
import { indexBuffer } from './recordIndex';

export interface Sniff {
  dataset: boolean;
  format: FormatId;
}

const HEAD = 1 << 18; // 256 KiB

export function sniffDataset(text: string, fileName: string, sample = 10): Sniff {
  const head = Buffer.from(text.length > HEAD ? text.slice(0, HEAD) : text, 'utf8');
  const index = indexBuffer(head, { fileName });
  const values: unknown[] = [];
  for (let i = 0; i < Math.min(sample, index.count); i++) {
    try {
      values.push(JSON.parse(head.toString('utf8', index.start(i), index.end(i))));
    } catch {
      /* a broken or truncated record says nothing about the format */
    }
  }
  const format = detectFormat(values);
  return { dataset: format !== 'unknown', format };
}
