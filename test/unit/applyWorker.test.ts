/**
 * Export Curated Dataset off the extension host (issue #15): the real export worker
 * (out/src/core/curate/applyWorker.js) writes the same curated dataset and manifest as core
 * applyCuration (what `cocurate apply` runs), byte for byte, on a JSON array and on JSONL with drops,
 * corrections and a stratum decided "drop"; it reports progress; a cancelled export — before it
 * starts, while it indexes, while it writes — leaves no output, no manifest and no temporary file,
 * and an earlier output at that path as it was.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ApplyCancelled, applyCuration, manifestPath, type ApplyStep } from '../../src/core/curate/apply';
import { applyCurationInWorker } from '../../src/core/curate/applyWorkerClient';
import { decide } from '../../src/core/curate/decide';
import { Dataset } from '../../src/core/dataset';
import { readPlan, writePlan } from '../../src/core/plan';
import { drawSample } from '../../src/core/sampling';
import { parseStrata } from '../../src/core/strata';
import { VerdictJournal } from '../../src/core/verdicts';
import { isolateCacheEnv } from '../support/cacheEnv';
import { writeLargeArrayDataset } from '../support/largeArrayDataset';

const RECORDS = 30_000;
const NOW = new Date('2026-01-02T03:04:05.000Z');
const OPTS = { dropIncorrect: true, corrections: true, decisions: true, now: NOW };

/** A spot check of `data` (strata by subset) with two items judged incorrect (one corrected) and stratum "beta" decided "drop". */
function spotCheck(data: string, name: string): string {
  const planDir = path.join(path.dirname(data), '.curator', 'spotchecks', name);
  const ds = Dataset.open(data);
  try {
    writePlan(planDir, drawSample(ds, { name, seed: 3, size: 30, strata: parseStrata('field:subset'), planDir }));
  } finally {
    ds.close();
  }
  const plan = readPlan(planDir);
  const [fix, drop] = plan.items.filter((it) => it.stratum !== 'beta');
  const j = new VerdictJournal(path.join(planDir, 'verdicts-ann.jsonl'));
  j.append({ key: fix.key, hash: fix.hash, verdict: 'incorrect', correction: 'The first image is sharper.', reasons: ['wrong ranking'], reviewer: 'ann' });
  j.append({ key: drop.key, hash: drop.hash, verdict: 'incorrect', reasons: ['vague'], reviewer: 'ann' });
  j.close();
  decide(planDir, 'drop', { stratum: 'beta', by: 'ann' });
  return planDir;
}

/** Files in `dir` a failed or cancelled write could leave behind. */
function temporaries(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.startsWith('.tmp-'));
}

describe('Export Curated Dataset in a worker thread (issue #15)', function () {
  this.timeout(240_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'apply-worker-'));
  let restoreEnv: () => void = () => {};
  const array = path.join(tmp, 'data.json');
  const lines = path.join(tmp, 'data.jsonl');
  let arrayPlan = '';
  let linesPlan = '';

  before(() => {
    restoreEnv = isolateCacheEnv(tmp);
    writeLargeArrayDataset(array, RECORDS, 'w');
    // The JSONL twin: the same records, one per line (the array's lines without indent and comma).
    const text = fs.readFileSync(array, 'utf8').split('\n');
    fs.writeFileSync(
      lines,
      text
        .filter((l) => l.startsWith('  '))
        .map((l) => l.trim().replace(/,$/, ''))
        .join('\n') + '\n',
    );
    arrayPlan = spotCheck(array, 'array');
    linesPlan = spotCheck(lines, 'lines');
  });
  after(() => {
    restoreEnv();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  for (const [label, data, plan] of [
    ['JSON array', () => array, () => arrayPlan],
    ['JSONL', () => lines, () => linesPlan],
  ] as const) {
    it(`${label}: the worker writes the same dataset and manifest as core applyCuration, byte for byte, with progress`, async () => {
      const out = path.join(tmp, `curated-${path.basename(data())}`);
      const core = applyCuration([plan()], out, OPTS);
      const coreData = fs.readFileSync(out);
      const coreManifest = fs.readFileSync(manifestPath(out));
      fs.rmSync(out);
      fs.rmSync(manifestPath(out));
      // Cold in the worker: its index cache goes, so it scans (and reports indexing progress).
      fs.rmSync(path.join(tmp, '.curator', 'index'), { recursive: true, force: true });
      const steps: { step: ApplyStep; done: number; total: number }[] = [];
      const r = await applyCurationInWorker([plan()], out, { ...OPTS, onProgress: (step, done, total) => steps.push({ step, done, total }) });
      assert.deepEqual(r, core);
      assert.ok(fs.readFileSync(out).equals(coreData), 'the curated dataset differs from core applyCuration’s');
      assert.ok(fs.readFileSync(manifestPath(out)).equals(coreManifest), 'the manifest differs from core applyCuration’s');
      // The drops and the correction happened (so the comparison compares something).
      assert.equal(r.records, RECORDS);
      assert.equal(r.corrected, 1);
      assert.ok(r.dropped > 1000, `${r.dropped} dropped (stratum beta and one verdict)`);
      assert.equal(r.kept, RECORDS - r.dropped);
      assert.ok(coreData.includes('The first image is sharper.'));
      // Progress: the last report is the whole output written.
      const last = steps[steps.length - 1];
      assert.deepEqual(last, { step: 'write', done: coreData.length, total: coreData.length });
      assert.ok(
        steps.some((s) => s.step === 'index'),
        'indexing progress was reported',
      );
      assert.deepEqual(temporaries(tmp), []);
    });
  }

  it('a signal aborted before it starts: ApplyCancelled, no output, no manifest, no temporary file', async () => {
    const out = path.join(tmp, 'never.json');
    const ctrl = new AbortController();
    ctrl.abort();
    await assert.rejects(applyCurationInWorker([arrayPlan], out, { ...OPTS, signal: ctrl.signal }), ApplyCancelled);
    assert.equal(fs.existsSync(out), false);
    assert.equal(fs.existsSync(manifestPath(out)), false);
    assert.deepEqual(temporaries(tmp), []);
  });

  it('aborted while it runs (at its first progress report): ApplyCancelled, an earlier output stays as it was', async () => {
    const out = path.join(tmp, 'earlier.json');
    fs.writeFileSync(out, 'an earlier export\n');
    fs.rmSync(path.join(tmp, '.curator', 'index'), { recursive: true, force: true });
    const ctrl = new AbortController();
    await assert.rejects(applyCurationInWorker([arrayPlan], out, { ...OPTS, signal: ctrl.signal, onProgress: () => ctrl.abort() }), ApplyCancelled);
    assert.equal(fs.readFileSync(out, 'utf8'), 'an earlier export\n');
    assert.equal(fs.existsSync(manifestPath(out)), false);
    assert.deepEqual(temporaries(tmp), []);
  });

  it('core: cancelled while writing or while indexing leaves no partial output and no temporary file', () => {
    const out = path.join(tmp, 'partial.jsonl');
    fs.writeFileSync(out, 'an earlier export\n');
    let written = 0;
    assert.throws(
      () =>
        applyCuration([linesPlan], out, {
          ...OPTS,
          onProgress: (step, done) => {
            if (step === 'write') written = done;
          },
          // Stops after the first MiB is in the temporary file.
          cancelled: () => written > 0,
        }),
      ApplyCancelled,
    );
    assert.ok(written > 0 && written < fs.statSync(lines).size, `stopped after ${written} bytes, part way through`);
    assert.equal(fs.readFileSync(out, 'utf8'), 'an earlier export\n');
    assert.equal(fs.existsSync(manifestPath(out)), false);
    assert.deepEqual(temporaries(tmp), []);

    fs.rmSync(path.join(tmp, '.curator', 'index'), { recursive: true, force: true });
    let indexed = 0;
    assert.throws(
      () =>
        applyCuration([linesPlan], out, {
          ...OPTS,
          onProgress: (step, done) => {
            if (step === 'index') indexed = done;
          },
          cancelled: () => indexed > 0,
        }),
      ApplyCancelled,
    );
    assert.ok(indexed > 0 && indexed < fs.statSync(lines).size, `stopped after indexing ${indexed} bytes, part way through`);
    assert.equal(fs.readFileSync(out, 'utf8'), 'an earlier export\n');
    assert.deepEqual(temporaries(tmp), []);
    // After the cancelled scan the dataset still opens and indexes whole.
    const ds = Dataset.open(lines);
    try {
      assert.equal(ds.count, RECORDS);
    } finally {
      ds.close();
    }
  });
});
