/**
 * Writes a many-MB JSON array dataset for tests that open large files (issue #15): `records`
 * Co-Instruct-shaped records of 1–3 images, each with an id `${idPrefix}-${i}`, a subset among four
 * names and a label of ~200 characters, one record per line, written in blocks.
 */
import * as fs from 'node:fs';

export function writeLargeArrayDataset(file: string, records: number, idPrefix: string): void {
  const fd = fs.openSync(file, 'w');
  try {
    const lines: string[] = ['['];
    for (let i = 0; i < records; i++) {
      const n = 1 + (i % 3);
      const image = n === 1 ? `pics/${i % 97}.jpg` : Array.from({ length: n }, (_, k) => `pics/${(i + k) % 97}.jpg`);
      const rec = {
        id: `${idPrefix}-${i}`,
        subset: ['alpha', 'beta', 'gamma', 'delta'][(i * 7) % 4],
        image,
        conversations: [
          { from: 'human', value: `${'<image> '.repeat(n)}Which one looks better? (${i})` },
          { from: 'gpt', value: `Record ${i}: ${'balanced colour and fine grain, a little noise in the shadows; '.repeat(3)}` },
        ],
      };
      lines.push(`  ${JSON.stringify(rec)}${i < records - 1 ? ',' : ''}`);
      if (lines.length >= 5000) fs.writeSync(fd, lines.splice(0).join('\n') + '\n');
    }
    fs.writeSync(fd, `${lines.join('\n')}\n]\n`);
  } finally {
    fs.closeSync(fd);
  }
}
