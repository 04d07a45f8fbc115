/**
 * `npm run bench editor`: the curator editor on a ~300 MB Co-Instruct-style JSON array (562K records)
 * in a real VS Code (code-server, through test/e2e/harness.ts). Prints figures, asserts nothing:
 *   - open, cold (no persistent index) and then cached (the index file the cold open wrote, after
 *     closing the editor): quick open (Ctrl+P, type the name, its row listed) apart, then Enter →
 *     editor and webview up (#app exists) → first item rendered (the head while the worker indexes,
 *     when the webview is up before the index) → whole index shown (no "Indexing" banner);
 *   - next/previous item: webview request → rendered, and key press → rendered as the test sees it;
 *   - mark-to-saved: mark request → host answered after appending and fsyncing the verdict.
 * The file is generated once under bench-data/editor/ (gitignored) with the demo images.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Dataset } from '../../src/core/dataset';
import { spotcheckDir, writePlan } from '../../src/core/plan';
import { drawSample } from '../../src/core/sampling';
import { parseStrata } from '../../src/core/strata';
import { REPO_ROOT, VsCode } from '../e2e/harness';

const N = Number(process.env.BENCH_RECORDS ?? 562_000);
const DIR = path.join(REPO_ROOT, 'bench-data', 'editor');
const FILE = path.join(DIR, `coinstruct-${N}.json`);
const ORD = ['first', 'second', 'third', 'fourth'];

function generate(): void {
  if (fs.existsSync(FILE)) return;
  fs.mkdirSync(path.join(DIR, 'images'), { recursive: true });
  const images = fs.readdirSync(path.join(REPO_ROOT, 'demo', 'images')).filter((f) => f.endsWith('.jpg'));
  for (const f of images) fs.copyFileSync(path.join(REPO_ROOT, 'demo', 'images', f), path.join(DIR, 'images', f));
  const fd = fs.openSync(`${FILE}.tmp`, 'w');
  let buf = '[\n';
  for (let i = 0; i < N; i++) {
    const n = i < N * 0.356 ? 1 : 2 + (i % 3);
    const imgs = Array.from({ length: n }, (_, k) => `images/${images[(i * 7 + k * 5) % images.length]}`);
    const prefix = n === 1 ? 'The image: <image>\n' : imgs.map((_, k) => `The ${ORD[k]} image: <image>\n`).join('');
    const rec = {
      id: `coinstruct-${i}`,
      image: n === 1 ? imgs[0] : imgs,
      conversations: [
        {
          from: 'human',
          value: `${prefix}${n === 2 ? 'Which image has better quality, and why?' : 'Please rank the quality of the images and justify your rankings.'}`,
        },
        {
          from: 'gpt',
          value: `The ${ORD[i % n]} image has the best quality: its details stay sharp and its colours natural, while the others show ${['noise', 'blur', 'compression artefacts', 'over-exposure'][i % 4]} that hides fine texture.`,
        },
      ],
    };
    buf += JSON.stringify(rec, null, 2).replace(/^/gm, '  ') + (i < N - 1 ? ',\n' : '\n');
    if (buf.length > 1 << 22) {
      fs.writeSync(fd, buf);
      buf = '';
    }
  }
  fs.writeSync(fd, buf + ']\n');
  fs.closeSync(fd);
  fs.renameSync(`${FILE}.tmp`, FILE);
}

const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return `mean ${mean.toFixed(1)} ms, median ${s[Math.floor(s.length / 2)]?.toFixed(1)} ms, max ${s[s.length - 1]?.toFixed(1)} ms (n=${s.length})`;
};

async function main(): Promise<void> {
  console.log(`generating / reusing ${FILE} …`);
  generate();
  console.log(`${(fs.statSync(FILE).size / 1e6).toFixed(0)} MB, ${N} records`);
  // A spot check to mark (drawn by core, as the CLI would).
  const t0 = Date.now();
  // No persistent index: the editor's open below is cold (the worker scans the file).
  const ds = Dataset.open(FILE, { cache: false });
  const indexMs = Date.now() - t0;
  const name = 'bench-250';
  const dir = spotcheckDir(path.join(DIR, '.curator'), name);
  fs.rmSync(dir, { recursive: true, force: true });
  writePlan(dir, drawSample(ds, { name, seed: 'bench', size: 250, strata: parseStrata('groupSize'), planDir: dir }));
  ds.close();
  console.log(`core index in this process: ${indexMs} ms`);

  const vs = await VsCode.start({
    workspace: DIR,
    settings: { 'curator.reviewer': 'bench', 'curator.suggestOpenWithCurator': false, 'workbench.editorAssociations': { '*.json': 'curator.dataset' } },
  });
  try {
    const view = vs.webview();
    // Open: quick open the file (associated with the curator). The clock starts at Enter: quick open's
    // own file search (seconds under load, VS Code alone) is printed apart, not counted as opening.
    await vs.runCommand('Curator: Refresh Spot Checks'); // the extension is up
    const open = async (how: string): Promise<void> => {
      const tQuick = Date.now();
      await vs.page.keyboard.press('Control+P');
      await vs.page.locator('.quick-input-widget input.input').fill(path.basename(FILE));
      await vs.page
        .locator('.quick-input-widget .monaco-list-row', { hasText: path.basename(FILE) })
        .first()
        .waitFor();
      const tOpen = Date.now();
      await vs.page.keyboard.press('Enter');
      const since = () => Date.now() - tOpen;
      await view.locator('#app[data-state]').waitFor({ state: 'attached', timeout: 120_000 });
      const upMs = since();
      await view.locator('#app[data-mode="browse"][data-state="ready"] .item[data-index="0"]').waitFor({ timeout: 120_000 });
      const openMs = since();
      const head = (await view.locator('#app .warning', { hasText: 'Indexing' }).count()) > 0;
      const stillIndexing = view.locator('.warning', { hasText: 'Indexing' }); // inside #app: the head's banner
      await view
        .locator('#app[data-mode="browse"][data-state="ready"]', { has: view.locator('.item[data-index="0"]'), hasNot: stillIndexing })
        .waitFor({ timeout: 120_000 });
      const wholeMs = since();
      console.log(`quick open (Ctrl+P, type ${path.basename(FILE)}, its row listed; VS Code alone): ${tOpen - tQuick} ms`);
      console.log(`open, ${how} (Enter → editor and webview up): ${upMs} ms`);
      console.log(
        `open, ${how} (Enter → first item rendered): ${openMs} ms (${head ? 'the head, while the worker indexes' : 'the whole index was there first'})`,
      );
      console.log(`open, ${how} (Enter → whole index shown): ${wholeMs} ms`);
    };
    await open('cold');
    // Cached: the cold open's worker wrote the persistent index beside the dataset; closing the
    // editor releases the dataset, so this open reads the index file (no scan).
    await vs.runCommand('View: Close All Editors');
    await vs.page.locator('iframe.webview').first().waitFor({ state: 'detached', timeout: 30_000 });
    await open('cached');
    const first = (await view.locator('body').evaluate('window.__curatorTimings.show[0]')) as number;
    console.log(`first item of the whole dataset (webview request → rendered): ${first.toFixed(1)} ms`);

    await vs.focusWebview();
    await view.locator('#app[data-focus="item"]').waitFor({ timeout: 10_000 });
    const e2e: number[] = [];
    for (let k = 1; k <= 30; k++) {
      const t = Date.now();
      await vs.press(k <= 20 ? 'ArrowRight' : 'ArrowLeft');
      const want = k <= 20 ? k : 40 - k;
      await view.locator(`.item[data-index="${want}"]`).waitFor();
      e2e.push(Date.now() - t);
    }
    const shows = ((await view.locator('body').evaluate('window.__curatorTimings.show')) as number[]).slice(1);
    console.log(`next/previous item, webview request → rendered: ${stats(shows)}`);
    console.log(`next/previous item, key press → rendered (seen from the test, playwright overhead included): ${stats(e2e)}`);
    await vs.screenshot('bench-editor-browse');

    await vs.runCommand('Curator: Open Spot Check');
    await vs.answerQuickInput(undefined, name);
    await view.locator('#app[data-mode="review"][data-state="ready"]').waitFor({ timeout: 120_000 });
    await vs.focusWebview();
    await view.locator('#app[data-focus="item"]').waitFor({ timeout: 10_000 });
    for (let k = 1; k <= 30; k++) {
      await vs.press(k % 5 === 0 ? 'x' : 'c');
      await view.locator('.progress-count', { hasText: `${k} / 250` }).waitFor();
    }
    const saves = (await view.locator('body').evaluate('window.__curatorTimings.save')) as number[];
    console.log(`mark → saved (append + fsync in the host, round trip from the webview): ${stats(saves)}`);
    const host = (await view.locator('body').evaluate('window.__curatorTimings.saveHost')) as number[];
    console.log(`  of which in the extension host (append + fsync + progress): ${stats(host)}`);
    await vs.screenshot('bench-editor-review');
  } finally {
    await vs.close();
    fs.rmSync(path.join(DIR, '.curator'), { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
