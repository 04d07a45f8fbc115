/**
 * One benchmark operation in its own process, so that wall time and peak RSS are its own.
 * Usage: node out/test/bench/coreWorker.js index|open|show|sample|validate FILE
 * Prints one JSON line with internal timings (ms). Each operation loads only the modules it uses.
 */
import type * as datasetModule from '../../src/core/dataset';
import type * as recordIndexModule from '../../src/core/recordIndex';
import type * as samplingModule from '../../src/core/sampling';
import type * as strataModule from '../../src/core/strata';
import type * as validateModule from '../../src/core/validate';

// Loaded per operation (require, not import): `index` loads the record index alone, so the process
// measures the scan, not the loading of validation or sampling code it never runs.
/* eslint-disable @typescript-eslint/no-require-imports */
const dataset = (): typeof datasetModule => require('../../src/core/dataset');
const recordIndex = (): typeof recordIndexModule => require('../../src/core/recordIndex');
const sampling = (): typeof samplingModule => require('../../src/core/sampling');
const strata = (): typeof strataModule => require('../../src/core/strata');
const validation = (): typeof validateModule => require('../../src/core/validate');
/* eslint-enable @typescript-eslint/no-require-imports */

const [op, file] = process.argv.slice(2);
const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const t0 = now();
const out: Record<string, unknown> = { op };

switch (op) {
  case 'index': {
    const idx = recordIndex().indexFile(file);
    out.records = idx.count;
    out.indexMs = now() - t0;
    break;
  }
  case 'open': {
    const ds = dataset().Dataset.open(file, { cache: false });
    const t1 = now();
    const first = ds.item(0);
    out.records = ds.count;
    out.indexMs = t1 - t0;
    out.firstItemMs = now() - t1;
    out.openToFirstItemMs = now() - t0;
    out.firstKey = first.key;
    break;
  }
  case 'show': {
    const ds = dataset().Dataset.open(file, { cache: false });
    const t1 = now();
    out.indexMs = t1 - t0;
    ds.item(999); // the item on screen before navigating (builds the id table once)
    out.firstItemMs = now() - t1;
    // Next/previous navigation and random jumps, 200 each.
    const nav: number[] = [];
    for (let i = 1000; i < 1200; i++) {
      const s = now();
      ds.item(i);
      nav.push(now() - s);
    }
    const jumps: number[] = [];
    for (let k = 0; k < 200; k++) {
      const i = (k * 2654435761) % ds.count;
      const s = now();
      ds.item(i);
      jumps.push(now() - s);
    }
    const stats = (a: number[]): { mean: number; max: number } => ({ mean: a.reduce((x, y) => x + y, 0) / a.length, max: Math.max(...a) });
    out.next = stats(nav);
    out.jump = stats(jumps);
    const s = now();
    ds.ids();
    out.idTableMs = now() - s;
    break;
  }
  case 'sample': {
    const ds = dataset().Dataset.open(file, { cache: false });
    const t1 = now();
    out.indexMs = t1 - t0;
    // Co-Instruct-562K's subset boundaries, scaled when the benchmark file is smaller.
    const b = (x: number): number => Math.round((x * ds.count) / 562000);
    const [s1, s2, s3] = [b(200277), b(302409), b(332301)];
    const ranges = `ranges:Q-Instruct=0-${s1 - 1},Merge2Compare=${s1}-${s2 - 1},Teach2Compare-general=${s2}-${s3 - 1},Teach2Compare-QA=${s3}-`;
    for (const spec of ['none', ranges, 'groupSize']) {
      const s = now();
      const plan = sampling().drawSample(ds, { name: 'bench', seed: 1, size: 250, strata: strata().parseStrata(spec), planDir: '/tmp' });
      out[`sample250_${spec.split(':')[0]}Ms`] = now() - s;
      out[`n_${spec.split(':')[0]}`] = plan.items.length;
    }
    break;
  }
  case 'validate': {
    const ds = dataset().Dataset.open(file, { cache: false });
    const res = validation().validateDataset(ds, { checkImages: false });
    out.records = res.items;
    out.diagnostics = res.diagnostics.length;
    out.validateMs = now() - t0;
    break;
  }
  default:
    process.stderr.write(`unknown op ${op}\n`);
    process.exit(2);
}
out.totalMs = now() - t0;
process.stdout.write(JSON.stringify(out) + '\n');
