// npm run bench: generates (never commits) a 562K-record Co-Instruct-style JSON array (~300 MB) and
// its JSONL twin under bench-data/, then prints wall time and peak RSS of index, open, show, sample
// and validate, as ratios against `wc -l` and `jq length` on the same files. Figures, not tests.
import { spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.join(root, 'bench-data');
const N = Number(process.env.BENCH_RECORDS ?? 562000);
const jsonFile = path.join(dataDir, `coinstruct-${N}.json`);
const jsonlFile = path.join(dataDir, `coinstruct-${N}.jsonl`);
const only = process.argv.slice(2);

const ORD = ['first', 'second', 'third', 'fourth'];
const WORDS =
  'the image shows clear detail sharp edges natural colours slight noise blur in the background overexposed sky low contrast compression artefacts good lighting vivid dull texture focus'.split(
    ' ',
  );

function record(i) {
  // Subsets by position, as in Co-Instruct-562K: Q-Instruct singles, then pairs/triples/quads.
  const n = i < 200277 * (N / 562000) ? 1 : 2 + (i % 3);
  const images = Array.from({ length: n }, (_, k) => `images/${(i * 7 + k * 13) % 19000}.jpg`);
  const words = (len, s) => Array.from({ length: len }, (_, k) => WORDS[(s + k * 7) % WORDS.length]).join(' ');
  const prefix = n === 1 ? 'The image: <image>\n' : images.map((_, k) => `The ${ORD[k]} image: <image>\n`).join('');
  return {
    id: `coinstruct-${i}`,
    image: n === 1 ? images[0] : images,
    conversations: [
      {
        from: 'human',
        value: `${prefix}${n === 2 ? 'Which image has better quality, and why?' : 'Please rank the quality of the images and justify your rankings.'}`,
      },
      { from: 'gpt', value: `The ${ORD[i % n]} image has the best quality. ${words(12 + (i % 16), i)}. "Quoted" \\ and 画质 text.` },
    ],
  };
}

async function generate() {
  mkdirSync(dataDir, { recursive: true });
  if (existsSync(jsonFile) && existsSync(jsonlFile)) return;
  console.log(`generating ${N} records …`);
  const a = createWriteStream(jsonFile);
  const b = createWriteStream(jsonlFile);
  const write = (s, t) => (s.write(t) ? Promise.resolve() : new Promise((r) => s.once('drain', r)));
  await write(a, '[\n');
  for (let i = 0; i < N; i++) {
    const r = record(i);
    await write(a, JSON.stringify(r, null, 1).replace(/^/gm, ' ') + (i < N - 1 ? ',\n' : '\n'));
    await write(b, JSON.stringify(r) + '\n');
  }
  await write(a, ']\n');
  await Promise.all([new Promise((r) => a.end(r)), new Promise((r) => b.end(r))]);
}

/** Runs a command under GNU time; returns wall seconds, CPU seconds (user + sys), peak RSS MB and stdout. */
function timed(cmd, args, env) {
  const r = spawnSync('time', ['-f', '%e %M %U %S', cmd, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
    env: env ? { ...process.env, ...env } : process.env,
  });
  const last = r.stderr.trim().split('\n').pop();
  const [sec, kb, user, sys] = last.split(' ').map(Number);
  return { sec, cpu: user + sys, mb: kb / 1024, out: r.stdout.trim(), status: r.status };
}

// On a shared machine one run says little: the issue #15 rows take the median of BENCH_REPEAT runs
// (default 5), interleaved so that each round meets the same load, and print CPU seconds beside wall.
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 5));
const median = (xs) => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};
/** Runs each [label, cmd, args, env?] REPEAT times, round by round; medians of wall, CPU and peak RSS. */
function timedRounds(jobs) {
  const runs = new Map(jobs.map(([label]) => [label, []]));
  const loads = [];
  for (let k = 0; k < REPEAT; k++) {
    for (const [label, cmd, args, env] of jobs) runs.get(label).push(timed(cmd, args, env));
    loads.push(os.loadavg()[0]);
  }
  const out = new Map();
  for (const [label, rs] of runs)
    out.set(label, {
      sec: median(rs.map((r) => r.sec)),
      cpu: median(rs.map((r) => r.cpu)),
      mb: median(rs.map((r) => r.mb)),
      out: rs[0].out,
      status: Math.max(...rs.map((r) => r.status ?? 0)),
    });
  return { out, loads: [Math.min(...loads), Math.max(...loads)] };
}

const worker = path.join(root, 'out', 'test', 'bench', 'coreWorker.js');
const fmt = (x, d = 2) => (typeof x === 'number' ? x.toFixed(d) : String(x));
const want = (s) => only.length === 0 || only.includes(s);

async function main() {
  // tsc emits even when some file has type errors; the bench only needs out/test/bench/*.js.
  spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root], { stdio: 'ignore' });
  if (!existsSync(worker)) throw new Error(`${worker} is missing: the TypeScript build failed`);
  if (want('core')) {
    await generate();
    const mb = (f) => (statSync(f).size / 1e6).toFixed(0);
    console.log(`\nfiles: ${jsonFile} (${mb(jsonFile)} MB), ${jsonlFile} (${mb(jsonlFile)} MB); ${N} records\n`);
    timed('wc', ['-l', jsonFile]); // warm the page cache
    timed('wc', ['-l', jsonlFile]);
    const wcJsonl = timed('wc', ['-l', jsonlFile]);
    const wcJson = timed('wc', ['-l', jsonFile]);
    const jq = timed('jq', ['length', jsonFile]);
    const rows = [];
    const run = (label, op, file) => {
      const t = timed(process.execPath, [worker, op, file]);
      if (t.status !== 0) throw new Error(`${label} failed: ${t.out}`);
      const j = JSON.parse(t.out);
      rows.push({ label, ...t, j });
      return { ...t, j };
    };
    const ij = run('index JSON array', 'index', jsonFile);
    const il = run('index JSONL', 'index', jsonlFile);
    const op = run('open + first item (array)', 'open', jsonFile);
    const sh = run('show (array)', 'show', jsonFile);
    const sa = run('sample 250 (array)', 'sample', jsonFile);
    const va = run('validate (array)', 'validate', jsonFile);
    console.log('reference:');
    console.log(`  wc -l JSONL      ${fmt(wcJsonl.sec)} s  ${fmt(wcJsonl.mb, 0)} MB`);
    console.log(`  wc -l JSON       ${fmt(wcJson.sec)} s  ${fmt(wcJson.mb, 0)} MB`);
    console.log(`  jq length JSON   ${fmt(jq.sec)} s  ${fmt(jq.mb, 0)} MB  (→ ${jq.out})`);
    console.log('\ncurator (whole process, node start included):');
    for (const r of rows) console.log(`  ${r.label.padEnd(28)} ${fmt(r.sec)} s  ${fmt(r.mb, 0)} MB  ${JSON.stringify(r.j)}`);
    console.log('\nbudgets (ARCHITECTURE.md, "Performance budgets"):');
    const line = (ok, text) => console.log(`  ${ok ? 'meets ' : 'MISSES'}  ${text}`);
    line(jq.sec / ij.sec >= 5, `JSON-array index ${fmt(jq.sec / ij.sec, 1)}× faster than jq length (budget ≥ 5×)`);
    line(jq.mb / ij.mb >= 5, `JSON-array index ${fmt(jq.mb / ij.mb, 1)}× less peak memory than jq (budget ≥ 5×)`);
    line(
      il.sec / Math.max(wcJsonl.sec, 0.01) <= 1.5,
      `JSONL index ${fmt(il.sec / Math.max(wcJsonl.sec, 0.01), 1)}× wc -l time (budget ≤ 1.5×; wc ${fmt(wcJsonl.sec)} s, index ${fmt(il.sec)} s, in-process ${fmt(il.j.indexMs, 0)} ms)`,
    );
    line(op.j.openToFirstItemMs < 1000, `open 300 MB array + first item ${fmt(op.j.openToFirstItemMs, 0)} ms (budget < 1000 ms)`);
    line(
      sh.j.next.max < 50,
      `next item mean ${fmt(sh.j.next.mean, 3)} ms, max ${fmt(sh.j.next.max, 2)} ms; random jump max ${fmt(sh.j.jump.max, 2)} ms (budget < 50 ms)`,
    );
    line(
      Math.max(sa.j.sample250_noneMs, sa.j.sample250_rangesMs, sa.j.sample250_groupSizeMs) < 1000,
      `250-item sample after indexing: none ${fmt(sa.j.sample250_noneMs, 0)} ms, ranges ${fmt(sa.j.sample250_rangesMs, 0)} ms, groupSize ${fmt(sa.j.sample250_groupSizeMs, 0)} ms (budget < 1000 ms)`,
    );
    line(va.sec <= jq.sec, `validate whole file ${fmt(va.sec)} s vs jq length ${fmt(jq.sec)} s (budget: at least as fast)`);

    persistentIndex({ jq, line, cold: true });
  }
  if (only.includes('cached')) {
    await generate();
    persistentIndex({ line: (ok, text) => console.log(`  ${ok ? 'meets ' : 'MISSES'}  ${text}`), cold: false });
  }
  // Other benches (endpoint, embeddings) add themselves below.
  for (const [name, file] of [
    ['endpoint', 'out/test/bench/endpointBench.js'],
    ['embeddings', 'out/test/bench/embeddingBench.js'],
    ['editor', 'out/test/bench/editorBench.js'],
    ['editor-open', 'out/test/bench/editorOpenBench.js'],
    ['lsp', 'out/test/bench/lspBench.js'],
    ['compare', 'out/test/bench/compareBench.js'],
    ['cues', 'out/test/bench/cuesBench.js'],
    ['parquet', 'out/test/bench/parquetBench.js'],
  ]) {
    if (want(name) && existsSync(path.join(root, file))) {
      console.log(`\n=== ${name}`);
      spawnSync(process.execPath, [path.join(root, file)], { stdio: 'inherit', cwd: root });
    }
  }
}

/**
 * Persistent index (issue #15): the CLI as a user runs it, cold (--no-cache) and cached, in
 * interleaved rounds beside `node -e 0`. `npm run bench -- cached` runs only the cached rows.
 * BENCH_BEFORE=DIR (a checkout with a build of an earlier version: DIR/bin/cocurate.js) runs that
 * build's cached info and show in the same rounds, with its own cache folder (each format version
 * would take the other's cache file for a foreign one and rebuild it).
 */
function persistentIndex({ jq, line, cold }) {
  const cli = path.join(root, 'bin', 'cocurate.js');
  if (!existsSync(path.join(root, 'dist', 'cli.js'))) {
    console.log('\n(persistent index: skipped, run npm run build first)');
    return;
  }
  const cliRun = (...args) => timed(process.execPath, [cli, ...args]);
  const before = process.env.BENCH_BEFORE ? path.join(path.resolve(process.env.BENCH_BEFORE), 'bin', 'cocurate.js') : undefined;
  const beforeEnv = { COCURATE_CACHE_DIR: path.join(dataDir, '.cache-before') };
  const coldRows = [];
  if (cold) {
    coldRows.push(['info array, cold', cliRun('info', jsonFile, '--no-cache')]);
    coldRows.push(['show 400000, cold', cliRun('show', jsonFile, '400000', '--no-cache')]);
  }
  cliRun('info', jsonFile); // builds the cache file (index, group sizes)
  cliRun('show', jsonFile, '400000'); // adds the id table to it
  if (before) {
    timed(process.execPath, [before, 'info', jsonFile], beforeEnv);
    timed(process.execPath, [before, 'show', jsonFile, '400000'], beforeEnv);
  }
  if (cold) coldRows.push(['info JSONL, cold', cliRun('info', jsonlFile, '--no-cache')]);
  const { out: m, loads } = timedRounds([
    ['node -e 0', process.execPath, ['-e', '0']],
    ['info array, cached', process.execPath, [cli, 'info', jsonFile]],
    ['show 400000, cached', process.execPath, [cli, 'show', jsonFile, '400000']],
    ...(before
      ? [
          ['info array, cached (before)', process.execPath, [before, 'info', jsonFile], beforeEnv],
          ['show 400000, cached (before)', process.execPath, [before, 'show', jsonFile, '400000'], beforeEnv],
        ]
      : []),
    ...(cold
      ? [
          ['wc -l JSONL', 'wc', ['-l', jsonlFile]],
          ['wc -l JSON', 'wc', ['-l', jsonFile]],
          ['index JSONL (cold)', process.execPath, [worker, 'index', jsonlFile]],
          ['index JSON array (cold)', process.execPath, [worker, 'index', jsonFile]],
          // The same scans forced to one thread and to two (by default a worker scans the second half only when a core is idle).
          ['index JSONL (cold, 1 thread)', process.execPath, [worker, 'index', jsonlFile], { COCURATE_SCAN_THREADS: '1' }],
          ['index JSON array (cold, 1 thread)', process.execPath, [worker, 'index', jsonFile], { COCURATE_SCAN_THREADS: '1' }],
          ['index JSONL (cold, 2 threads)', process.execPath, [worker, 'index', jsonlFile], { COCURATE_SCAN_THREADS: '2' }],
          ['index JSON array (cold, 2 threads)', process.execPath, [worker, 'index', jsonFile], { COCURATE_SCAN_THREADS: '2' }],
          // The CLI as a user runs it on a file it has not seen: the scan, then the group sizes (a second read of every record).
          ['info JSONL, cold', process.execPath, [cli, 'info', jsonlFile, '--no-cache']],
          ['info array, cold', process.execPath, [cli, 'info', jsonFile, '--no-cache']],
          ...(before
            ? [
                ['info JSONL, cold (before)', process.execPath, [before, 'info', jsonlFile, '--no-cache'], beforeEnv],
                ['info array, cold (before)', process.execPath, [before, 'info', jsonFile, '--no-cache'], beforeEnv],
              ]
            : []),
        ]
      : []),
  ]);
  console.log('\npersistent index (cocurate CLI, whole process):');
  for (const [label, t] of coldRows) console.log(`  ${label.padEnd(28)} ${fmt(t.sec)} s  ${fmt(t.cpu)} CPU-s  ${fmt(t.mb, 0)} MB`);
  console.log(`\nmedians of ${REPEAT} interleaved rounds (load average ${fmt(loads[0], 1)}–${fmt(loads[1], 1)}):`);
  for (const [label, t] of m) console.log(`  ${label.padEnd(30)} ${fmt(t.sec)} s  ${fmt(t.cpu)} CPU-s  ${fmt(t.mb, 0)} MB`);
  console.log('\nbudgets (issue #15; wall ratio, CPU ratio in brackets):');
  const r = (a, b) => m.get(a).sec / Math.max(m.get(b).sec, 0.01);
  const rc = (a, b) => m.get(a).cpu / Math.max(m.get(b).cpu, 0.01);
  const both = (a, b) => `${fmt(r(a, b), 1)}× (CPU ${fmt(rc(a, b), 1)}×)`;
  line(r('info array, cached', 'node -e 0') <= 2.5, `cached info ${both('info array, cached', 'node -e 0')} node -e 0 (budget ≤ 2.5×)`);
  line(r('show 400000, cached', 'node -e 0') <= 3, `cached show 400000 ${both('show 400000, cached', 'node -e 0')} node -e 0 (budget ≤ 3×)`);
  if (before) {
    console.log(
      `  before: cached info ${both('info array, cached (before)', 'node -e 0')}, cached show ${both('show 400000, cached (before)', 'node -e 0')} node -e 0`,
    );
  }
  if (!cold) return;
  line(r('index JSONL (cold)', 'wc -l JSONL') <= 6, `cold JSONL index ${both('index JSONL (cold)', 'wc -l JSONL')} wc -l (budget ≤ 6×)`);
  line(r('index JSON array (cold)', 'wc -l JSON') <= 8, `cold JSON-array index ${both('index JSON array (cold)', 'wc -l JSON')} wc -l (budget ≤ 8×)`);
  console.log(
    `          (one thread: JSONL ${both('index JSONL (cold, 1 thread)', 'wc -l JSONL')}, array ${both('index JSON array (cold, 1 thread)', 'wc -l JSON')}; ` +
      `two threads: JSONL ${both('index JSONL (cold, 2 threads)', 'wc -l JSONL')}, array ${both('index JSON array (cold, 2 threads)', 'wc -l JSON')} wc -l)`,
  );
  console.log(
    `          (cold info: JSONL ${both('info JSONL, cold', 'wc -l JSONL')}, array ${both('info array, cold', 'wc -l JSON')} wc -l` +
      (before ? `; before: JSONL ${both('info JSONL, cold (before)', 'wc -l JSONL')}, array ${both('info array, cold (before)', 'wc -l JSON')}` : '') +
      ')',
  );
  line(
    jq.mb / m.get('index JSON array (cold)').mb >= 10,
    `cold JSON-array index ${fmt(jq.mb / m.get('index JSON array (cold)').mb, 1)}× less peak memory than jq (budget ≥ 10×)`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
