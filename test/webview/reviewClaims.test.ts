/**
 * The claims panel beside the label in the review (issue #16), in headless Chromium against the
 * scripted fake host (curatorPage.ts): the item shows at once and the claims follow; each claim with
 * its status in words, the cue value of each image it compares and the reason; the suspicion; the
 * measured cues per image; an answer for another item is never shown; a host error is named.
 */
import * as assert from 'node:assert/strict';
import type { ItemClaimsView, ItemView } from '../../src/protocol';
import { curatorSuite, openCurator, reviewInitFor, sent, type FakeHostConfig } from './curatorPage';

const ok = (p: string) => ({ ok: true as const, path: p, src: `/${p}` });
const PAIR: ItemView = {
  index: 5,
  key: 'demo-group2-005',
  hash: 'h5',
  line: 60,
  format: 'llava',
  groupSize: 2,
  images: [ok('images/harvest-642254_11_04.jpg'), ok('images/railway-336702_07_03.jpg')],
  question: 'Which image has better quality?',
  label: 'The second image is noisier than the first image. The second image is the best.',
};
const OTHER: ItemView = { ...PAIR, index: 6, key: 'demo-group2-006', hash: 'h6', label: 'Both are fine.' };
const cues = (noise: number, sharpness: number) => ({
  sharpness,
  noise,
  exposure: 0.45,
  contrast: 0.21,
  colourfulness: 38.2,
  blockiness: 1.02,
  megapixels: 0.26,
});
const CLAIMS: ItemClaimsView = {
  key: PAIR.key,
  suspicion: 0.4,
  claims: [
    {
      text: 'The second image is noisier than the first image',
      attribute: 'noise',
      images: [2, 1],
      relation: 'greater',
      status: 'contradicts',
      values: [2.31, 17.6],
      reason: 'noise 2.31 vs 17.6',
    },
    {
      text: 'The second image is the best',
      attribute: 'quality',
      images: [2],
      relation: 'most',
      status: 'unchecked',
      values: [null],
      reason: 'no cue for overall quality',
    },
  ],
  images: [
    { path: 'images/harvest-642254_11_04.jpg', cues: cues(17.6, 1480) },
    { path: 'images/railway-336702_07_03.jpg', cues: cues(2.31, 655.4) },
  ],
  measured: 2,
  cached: 0,
};

const init = () => reviewInitFor([PAIR, OTHER]);
const config = (extra: Partial<FakeHostConfig> = {}): FakeHostConfig => ({
  results: { ready: init(), 'review.claims': CLAIMS },
  items: { 0: PAIR, 1: OTHER },
  ...extra,
});

describe('review claims panel (headless Chromium)', function () {
  this.timeout(60_000);
  const suite = curatorSuite();

  it('shows the item at once, "measuring…" beside the label, then each claim with its status, cue values and reason', async () => {
    const page = (suite.page = await openCurator(suite.browser, suite.url, config({ hold: ['review.claims'] })));
    await page.locator('.item[data-position="0"] .label-row [data-role="label"]').waitFor();
    const panel = page.locator('.label-row > aside.claims[data-role="claims"]');
    assert.equal(await panel.getAttribute('data-state'), 'loading');
    assert.match((await panel.textContent()) ?? '', /measuring the images/);
    const asked = (await sent(page)).filter((m) => m.method === 'review.claims').map((m) => m.params);
    assert.deepEqual(asked, [{ position: 0 }]);
    await page.evaluate('window.__host.release()');
    await page.locator('aside.claims[data-state="ready"]').waitFor();
    assert.equal(await panel.getAttribute('aria-label'), 'Claims in the label, checked against the images');
    assert.equal(await panel.locator('.suspicion').textContent(), 'suspicion 0.40');
    assert.equal(await panel.locator('.claims-summary').textContent(), '1 contradict · 0 agree · 1 unchecked');
    const rows = panel.locator('li.claim');
    assert.equal(await rows.count(), 2);
    assert.equal(await rows.nth(0).getAttribute('data-status'), 'contradicts');
    assert.equal(await rows.nth(0).locator('.claim-status').textContent(), '✗ contradicts');
    assert.equal(await rows.nth(0).locator('.claim-text').textContent(), 'The second image is noisier than the first image');
    assert.equal(await rows.nth(0).locator('.claim-values').textContent(), 'noise, more than: second image 2.31 · first image 17.6');
    assert.equal(await rows.nth(0).locator('.claim-reason').textContent(), 'noise 2.31 vs 17.6');
    assert.equal(await rows.nth(1).locator('.claim-status').textContent(), '? unchecked');
    assert.equal(await rows.nth(1).locator('.claim-values').textContent(), 'quality, the most: second image —');
    // every measured cue per image, in a table with a header per image
    assert.deepEqual(await panel.locator('.cue-table thead th').allTextContents(), ['cue', 'first image', 'second image']);
    assert.deepEqual(await panel.locator('.cue-table tr[data-cue="sharpness"] td').allTextContents(), ['1480', '655']);
    assert.deepEqual(await panel.locator('.cue-table tr[data-cue="exposure"] td').allTextContents(), ['0.450', '0.450']);
  });

  it('never shows claims answered for another item, and names a host error', async () => {
    const page = (suite.page = await openCurator(suite.browser, suite.url, {
      ...config(),
      results: { ready: { ...init(), start: 1 }, 'review.claims': CLAIMS },
    }));
    await page.locator('.item[data-position="1"]').waitFor();
    await page.waitForFunction(() =>
      (globalThis as unknown as { __host: { sent: { method: string }[] } }).__host.sent.some((m) => m.method === 'review.claims'),
    );
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await page.locator('aside.claims').getAttribute('data-state'), 'loading', 'the answer was for demo-group2-005');
    await page.close();
    const second = (suite.page = await openCurator(
      suite.browser,
      suite.url,
      config({ fail: { 'review.claims': 'image cues are not measured in an untrusted workspace' } }),
    ));
    await second.locator('aside.claims[data-state="error"]').waitFor();
    assert.equal(await second.locator('aside.claims .claims-error').textContent(), 'No cues: image cues are not measured in an untrusted workspace');
  });
});
