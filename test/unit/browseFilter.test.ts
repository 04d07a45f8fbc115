import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { filterRecords, isEmptyFilter, rowSummary, subsetNames } from '../../src/core/browseFilter';
import { Dataset } from '../../src/core/dataset';
import { firstUnjudged, spotCheckProgress } from '../../src/core/spotCheckProgress';

const DEMO = path.resolve(__dirname, '..', '..', '..', 'demo', 'coinstruct-demo.json');

describe('browse filters', () => {
  let ds: Dataset;
  before(() => {
    ds = Dataset.open(DEMO);
  });
  after(() => ds.close());

  it('passes everything without a filter (no index array built)', () => {
    assert.equal(isEmptyFilter({ verdict: 'any' }), true);
    assert.equal(
      filterRecords(ds, {}, () => undefined),
      null,
    );
  });

  it('filters by group size (4 means four or more), subset and text', () => {
    const two = filterRecords(ds, { groupSize: 2 }, () => undefined)!;
    assert.equal(two.length, 13);
    for (const i of two) assert.equal(ds.item(i).groupSize, 2);
    assert.equal(filterRecords(ds, { groupSize: 4 }, () => undefined)!.length, 8);
    const teach = [...filterRecords(ds, { subset: 'Teach2Compare-QA' }, () => undefined)!];
    assert.ok(teach.length > 0);
    for (const i of teach) assert.equal(ds.item(i).subset, 'Teach2Compare-QA');
    assert.deepEqual([...filterRecords(ds, { text: 'ONERROR' }, () => undefined)!], [32]);
    assert.deepEqual([...filterRecords(ds, { text: 'demo-group4-025', groupSize: 4 }, () => undefined)!], [25]);
  });

  it("filters by this reviewer's verdicts", () => {
    const v = (k: string) => (k === 'demo-single-001' ? 'correct' : k === 'demo-group2-004' ? 'incorrect' : undefined);
    assert.deepEqual([...filterRecords(ds, { verdict: 'judged' }, v)!], [1, 4]);
    assert.deepEqual([...filterRecords(ds, { verdict: 'incorrect' }, v)!], [4]);
    assert.equal(filterRecords(ds, { verdict: 'unjudged' }, v)!.length, ds.count - 2);
  });

  it('summarises rows and lists subsets', () => {
    const r = rowSummary(ds, 12);
    assert.equal(r.key, 'demo-group3-012');
    assert.equal(r.groupSize, 3);
    assert.match(r.snippet, /^Please rank the quality/);
    assert.deepEqual(subsetNames(ds), ['Merge2Compare', 'Q-Instruct', 'Teach2Compare-QA']);
  });
});

describe('spot-check progress', () => {
  const plan = { items: ['a', 'b', 'c', 'd'].map((key, index) => ({ key, index, hash: '', stratum: 'all' })) };
  it('counts verdicts and resumes at the first unjudged item', () => {
    const latest = new Map([
      ['a', { verdict: 'correct' as const }],
      ['b', { verdict: 'skip' as const }],
      ['d', { verdict: 'incorrect' as const }],
    ]);
    assert.deepEqual(spotCheckProgress(plan, latest), { judged: 3, size: 4, correct: 1, incorrect: 1, skip: 1 });
    assert.equal(firstUnjudged(plan, latest), 2);
    assert.equal(firstUnjudged(plan, new Map()), 0);
    latest.set('c', { verdict: 'correct' });
    assert.equal(firstUnjudged(plan, latest), 3, 'all judged: the last item');
  });
});
