/**
 * Corrections and reasons in the review (issue #17), in headless Chromium against the scripted fake
 * host (curatorPage.ts): r opens the inline editor prefilled with the label, Enter saves it as an
 * incorrect verdict with the correction, Escape cancels, reason keys toggle reasons; everything shows
 * "saving…" until the host confirms, and lands in the saved log.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { InitState, ItemView } from '../../src/protocol';
import { curatorSuite, notify, openCurator, reviewInitFor, sent, type FakeHostConfig } from './curatorPage';

/** Page-side predicates are functions, never strings (the page CSP refuses Playwright's eval of a string on later polls). */
type HostWindow = { __host: { sent: { method: string; params: Record<string, unknown> }[] } };

const ok = (p: string) => ({ ok: true as const, path: p, src: `/${p}` });
const LABEL = 'The first image is sharper than the second image.';
const PAIR: ItemView = {
  index: 4,
  key: 'pair-004',
  hash: 'aaaa000011112222',
  line: 40,
  format: 'llava',
  groupSize: 2,
  images: [ok('images/animal-18193_03_01.jpg'), ok('images/chestnut-1719861_13_01.jpg')],
  question: 'Which image is sharper?',
  label: LABEL,
};
const OTHER: ItemView = { ...PAIR, index: 5, key: 'pair-005', hash: 'bbbb000011112222', line: 50, label: 'Both images are equally clear.' };
const REASONS = [
  { key: '1', reason: 'wrong ranking' },
  { key: '2', reason: 'claims a distortion that is not there' },
  { key: '4', reason: 'vague' },
];

const init = (extra: Partial<InitState> = {}) => reviewInitFor([PAIR, OTHER], { reasons: REASONS, ...extra });

const config = (extra: Partial<FakeHostConfig> = {}, initExtra: Partial<InitState> = {}): FakeHostConfig => ({
  results: { ready: init(initExtra) },
  items: { 0: PAIR, 1: OTHER },
  ...extra,
});

const marks = async (page: Page) => (await sent(page)).filter((m) => m.method === 'mark').map((m) => m.params);

describe('review corrections and reasons (headless Chromium)', function () {
  this.timeout(60_000);
  const suite = curatorSuite();

  it('r opens an editor below the label, prefilled with it, that takes the typing focus; Enter saves an incorrect verdict with the correction, shown saved only after the host confirms', async () => {
    const page = (suite.page = await openCurator(suite.browser, suite.url, config({ hold: ['mark'] })));
    await page.locator('.item[data-position="0"]').waitFor();
    await page.locator('.item-pane').click();
    await notify(page, 'key', { action: 'correction' });
    const box = page.locator('[data-role="label"] + .correction-editor textarea.correction-input');
    await box.waitFor();
    assert.equal(await box.inputValue(), LABEL);
    assert.equal(await box.getAttribute('aria-label'), 'Corrected label');
    assert.ok(await box.evaluate((el) => el === (el.ownerDocument as unknown as { activeElement: unknown }).activeElement), 'the editor has the focus');
    // Review keys stop while typing: the host hears the focus is in an input.
    await page.waitForFunction(
      () => (globalThis as unknown as HostWindow).__host.sent.filter((m) => m.method === 'focusChanged').at(-1)?.params.area === 'input',
    );
    await box.fill('The second image is sharper than the first image.');
    await box.press('Shift+Enter');
    await box.pressSequentially('Both are slightly noisy.');
    await box.press('Enter');
    await page.locator('.correction-editor').waitFor({ state: 'detached' });
    assert.deepEqual(await marks(page), [
      { key: PAIR.key, verdict: 'incorrect', correction: 'The second image is sharper than the first image.\nBoth are slightly noisy.' },
    ]);
    // Not confirmed yet: it stays on the item and reads "saving…"; nothing in the saved log.
    assert.equal(await page.locator('.item').getAttribute('data-position'), '0');
    assert.equal(await page.locator('.verdict').getAttribute('data-state'), 'saving');
    assert.equal(await page.locator('.saved-log li').count(), 0);
    await page.evaluate('window.__host.release()');
    await page.locator('.verdict[data-state="saved"]').waitFor();
    assert.match((await page.locator('.verdict').textContent()) ?? '', /Incorrect — saved/);
    assert.equal(
      await page.locator('.verdict [data-role="correction"]').textContent(),
      'The second image is sharper than the first image.\nBoth are slightly noisy.',
    );
    const log = page.locator(`.saved-log li[data-key="${PAIR.key}"][data-verdict="incorrect"][data-corrected="true"]`);
    assert.equal(await log.count(), 1);
    assert.match((await log.textContent()) ?? '', /corrected to “The second image is sharper/);
    // Focus is back on the item: the next key is a review key again.
    await page.waitForFunction(
      () => (globalThis as unknown as HostWindow).__host.sent.filter((m) => m.method === 'focusChanged').at(-1)?.params.area === 'item',
    );
    // Opening again starts from the saved correction, not the label.
    await notify(page, 'key', { action: 'correction' });
    await box.waitFor();
    assert.match(await box.inputValue(), /^The second image is sharper/);
  });

  it('Escape cancels the editor without writing anything; Ctrl+Enter saves; an unchanged label saves nothing', async () => {
    const page = (suite.page = await openCurator(suite.browser, suite.url, config()));
    await page.locator('.item[data-position="0"]').waitFor();
    await notify(page, 'key', { action: 'correction' });
    const box = page.locator('textarea.correction-input');
    await box.waitFor();
    await box.fill('something else');
    // A key the host forwards while the editor has the focus (its focus report not yet through) was typing, not a command.
    await notify(page, 'key', { action: 'correct' });
    await notify(page, 'key', { action: 'reason', key: '1' });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await box.inputValue(), 'something else');
    await box.press('Escape');
    await page.locator('.correction-editor').waitFor({ state: 'detached' });
    await notify(page, 'key', { action: 'correction' });
    await box.waitFor();
    assert.equal(await box.inputValue(), LABEL, 'a cancelled edit is not kept');
    await box.press('Enter');
    await page.locator('.flash', { hasText: 'the label is unchanged' }).waitFor();
    assert.deepEqual(await marks(page), []);
    await notify(page, 'key', { action: 'correction' });
    await box.waitFor();
    await box.fill('The second image is sharper.');
    await box.press('Control+Enter');
    await page.locator('.verdict[data-state="saved"]').waitFor();
    assert.deepEqual(await marks(page), [{ key: PAIR.key, verdict: 'incorrect', correction: 'The second image is sharper.' }]);
  });

  it('reason keys record reasons on the item (marking it incorrect), in the setting order, toggle off, keep the correction, and show in the verdict and the saved log', async () => {
    const page = (suite.page = await openCurator(suite.browser, suite.url, config()));
    await page.locator('.item[data-position="0"]').waitFor();
    // The reasons bar lists each key with its reason, none pressed.
    const buttons = page.locator('.reasons-bar button.reason');
    assert.deepEqual(await buttons.evaluateAll((bs) => bs.map((b) => b.getAttribute('aria-label'))), [
      'Reason 1: wrong ranking',
      'Reason 2: claims a distortion that is not there',
      'Reason 4: vague',
    ]);
    await notify(page, 'key', { action: 'reason', key: '4' });
    await page.locator('.verdict[data-state="saved"][data-verdict="incorrect"]').waitFor();
    await notify(page, 'key', { action: 'reason', key: '1' });
    await page.locator('.reasons-bar button[data-reason-key="1"][aria-pressed="true"]').waitFor();
    await page.locator('.verdict[data-state="saved"]').waitFor();
    assert.equal(await page.locator('.item').getAttribute('data-position'), '0', 'a reason key does not move on');
    assert.equal(await page.locator('.verdict .verdict-reasons').getAttribute('data-reasons'), 'wrong ranking\nvague');
    // a correction keeps the reasons, and a later reason keeps the correction
    await notify(page, 'key', { action: 'correction' });
    await page.locator('textarea.correction-input').fill('The second image is sharper.');
    await page.locator('textarea.correction-input').press('Enter');
    await page.locator('.verdict [data-role="correction"]').waitFor();
    await page.locator('.verdict[data-state="saved"]').waitFor();
    await notify(page, 'key', { action: 'reason', key: '4' });
    await page.locator('.reasons-bar button[data-reason-key="4"][aria-pressed="false"]').waitFor();
    await page.locator('.verdict[data-state="saved"]').waitFor();
    // an unknown key says so and writes nothing
    await notify(page, 'key', { action: 'reason', key: '7' });
    await page.locator('.flash-error', { hasText: 'no reason on key 7' }).waitFor();
    assert.deepEqual(await marks(page), [
      { key: PAIR.key, verdict: 'incorrect', reasons: ['vague'] },
      { key: PAIR.key, verdict: 'incorrect', reasons: ['wrong ranking', 'vague'] },
      { key: PAIR.key, verdict: 'incorrect', correction: 'The second image is sharper.', reasons: ['wrong ranking', 'vague'] },
      { key: PAIR.key, verdict: 'incorrect', correction: 'The second image is sharper.', reasons: ['wrong ranking'] },
    ]);
    assert.equal(await page.locator('.saved-log li').first().getAttribute('data-reasons'), 'wrong ranking');
    assert.match((await page.locator('.saved-log li').first().textContent()) ?? '', /reasons: wrong ranking · corrected to “The second image is sharper\.”/);
    // marking it correct drops the correction and reasons; the reason buttons show none pressed
    await notify(page, 'key', { action: 'correct' });
    await page.locator('.item[data-position="1"]').waitFor();
    assert.deepEqual((await marks(page)).at(-1), { key: PAIR.key, verdict: 'correct' });
    assert.equal(await page.locator('.reasons-bar button[aria-pressed="true"]').count(), 0);
  });

  it('clicking a reason button records it too; the host can change the reasons list live', async () => {
    const page = (suite.page = await openCurator(suite.browser, suite.url, config()));
    await page.locator('.item[data-position="0"]').waitFor();
    await notify(page, 'review.reasons', { reasons: [{ key: '3', reason: 'hallucinated object' }] });
    await page.locator('.reasons-bar button[data-reason-key="3"]').waitFor();
    assert.equal(await page.locator('.reasons-bar button').count(), 1);
    await page.locator('.reasons-bar button[data-reason-key="3"]').click();
    await page.locator('.verdict[data-state="saved"][data-verdict="incorrect"]').waitFor();
    assert.deepEqual(await marks(page), [{ key: PAIR.key, verdict: 'incorrect', reasons: ['hallucinated object'] }]);
  });

  it('a correction the host cannot write reads NOT saved and is offered again when the editor reopens', async () => {
    const page = (suite.page = await openCurator(suite.browser, suite.url, config({ fail: { mark: 'ENOSPC: no space left on device' } })));
    await page.locator('.item[data-position="0"]').waitFor();
    await notify(page, 'key', { action: 'correction' });
    await page.locator('textarea.correction-input').fill('The second image is sharper.');
    await page.locator('textarea.correction-input').press('Enter');
    await page.locator('.verdict[data-state="failed"]').waitFor();
    assert.match((await page.locator('.verdict').textContent()) ?? '', /NOT saved: ENOSPC/);
    assert.equal(await page.locator('.saved-log li').count(), 0);
    await notify(page, 'key', { action: 'correction' });
    assert.equal(await page.locator('textarea.correction-input').inputValue(), 'The second image is sharper.');
  });

  it('read-only review: no reasons bar, and r or a reason key writes nothing', async () => {
    const page = (suite.page = await openCurator(suite.browser, suite.url, config({}, { readOnly: true, readOnlyReason: 'untrusted workspace' })));
    await page.locator('.item[data-position="0"]').waitFor();
    assert.equal(await page.locator('.reasons-bar').count(), 0);
    await notify(page, 'key', { action: 'correction' });
    await notify(page, 'key', { action: 'reason', key: '1' });
    await page.locator('.flash-error', { hasText: 'untrusted workspace' }).waitFor();
    assert.equal(await page.locator('textarea.correction-input').count(), 0);
    assert.deepEqual(await marks(page), []);
  });
});
