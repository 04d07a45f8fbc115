// The README's test command. Prepares what the tests need (scripts/prereqs.mjs: Chromium, code-server,
// unzip, python3 with pytest/httpx/fastapi/uvicorn/PIL; installed with apt-get when running as root),
// then runs every stage: lint (eslint and prettier --check), typecheck, build, unit + language server (mocha), webview (headless
// Chromium), e2e (code-server), the Python companion server (pytest).
//   npm test                  every stage
//   npm test -- unit webview  only these stages (lint, unit, webview, e2e, serve); build and typecheck always run
// Closing line: "tests: N passed, N failed, N skipped". A skipped test is not a pass: any skip fails
// the run. A test that needed its retry is named as flaky.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePrereqs } from './prereqs.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STAGES = ['lint', 'unit', 'webview', 'e2e', 'serve'];
const only = process.argv.slice(2);
for (const s of only) {
  if (!STAGES.includes(s)) {
    console.error(`npm test: unknown stage "${s}" (stages: ${STAGES.join(', ')})`);
    process.exit(2);
  }
}
const stages = only.length ? only : STAGES;
const want = (stage) => stages.includes(stage);

let passed = 0,
  failed = 0,
  skipped = 0;
const failures = [];
const flaky = [];
const skippedNames = [];

function run(label, cmd, args, opts = {}) {
  return new Promise((resolve) => {
    console.log(`\n=== ${label}: ${path.basename(cmd)} ${args.join(' ')}`);
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    let text = '';
    const onData = (stream) => (d) => {
      text += d;
      stream.write(d);
    };
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    child.on('close', (code) => {
      const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
      const num = (re) => {
        const m = plain.match(re);
        return m ? Number(m[1]) : 0;
      };
      if (opts.kind === 'mocha') {
        passed += num(/(\d+) passing/);
        failed += num(/(\d+) failing/);
        skipped += num(/(\d+) pending/);
        for (const m of plain.matchAll(/^flaky: (.*)$/gm)) flaky.push(`${label}: ${m[1]}`);
        for (const m of plain.matchAll(/^skipped: (.*)$/gm)) skippedNames.push(`${label}: ${m[1]}`);
      } else if (opts.kind === 'pytest') {
        passed += num(/(\d+) passed/);
        failed += num(/(\d+) failed/) + num(/(\d+) errors?\b/);
        skipped += num(/(\d+) skipped/);
        for (const m of plain.matchAll(/^SKIPPED (.*)$/gm)) skippedNames.push(`${label}: ${m[1]}`);
      }
      if (code !== 0) failures.push(`${label} (exit ${code})`);
      resolve(code);
    });
  });
}

function hasTests(dir) {
  const abs = path.join(root, dir);
  if (!existsSync(abs)) return false;
  const walk = (d) =>
    readdirSync(d).some((f) => {
      const p = path.join(d, f);
      return statSync(p).isDirectory() ? walk(p) : /\.test\.js$/.test(f);
    });
  return walk(abs);
}

const node = process.execPath;
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
// --exit: a browser or server that a failed hook leaked must not keep the run alive after its summary.
const reporter = ['--exit', '--reporter', path.join(root, 'scripts', 'mocha-reporter.cjs')];

const pre = ensurePrereqs(root, stages);
if (!pre.ok) {
  console.error('\nnpm test cannot run every stage on this machine:');
  for (const line of pre.missing) console.error(`  ${line}`);
  console.log('\ntests: 0 passed, 0 failed');
  process.exit(1);
}
const stageEnv = { ...(pre.chromium ? { CHROMIUM: pre.chromium } : {}) };

if (want('lint')) {
  if ((await run('lint', bin('eslint'), ['--no-warn-ignored', '.'])) !== 0) process.exit(1);
  if ((await run('format (prettier --check; npm run format fixes)', bin('prettier'), ['--check', '--log-level', 'warn', '.'])) !== 0) process.exit(1);
}
if ((await run('build', node, ['scripts/build.mjs'])) !== 0) process.exit(1);
if ((await run('typecheck + compile', bin('tsc'), ['-p', '.'])) !== 0) process.exit(1);
if ((await run('typecheck webview', bin('tsc'), ['--noEmit', '-p', 'webview'])) !== 0) process.exit(1);

if (want('unit')) await run('unit + server', bin('mocha'), ['--config', '.mocharc.json', ...reporter], { kind: 'mocha', env: stageEnv });
if (want('webview')) {
  if (!hasTests('out/test/webview')) failures.push('webview (no compiled tests in out/test/webview)');
  else
    await run('webview (Chromium)', bin('mocha'), ['--no-config', '--timeout', '60000', ...reporter, 'out/test/webview/**/*.test.js'], {
      kind: 'mocha',
      env: stageEnv,
    });
}
if (want('e2e')) {
  if (!hasTests('out/test/e2e')) failures.push('e2e (no compiled tests in out/test/e2e)');
  else
    await run('e2e (code-server)', bin('mocha'), ['--no-config', '--timeout', '240000', '--retries', '1', ...reporter, 'out/test/e2e/**/*.test.js'], {
      kind: 'mocha',
      env: stageEnv,
    });
}
if (want('serve')) {
  await run('serve (pytest)', pre.python, ['-m', 'pytest', '-q', '-rs', 'serve/tests'], { kind: 'pytest' });
}

if (failures.length) console.log(`\nfailed stages: ${failures.join('; ')}`);
if (flaky.length) console.log(`\nflaky (failed once, passed on retry):\n${flaky.map((f) => `  ${f}`).join('\n')}`);
if (skipped) {
  console.log(
    `\nskipped tests (a skipped test is not a pass; the default run has none):\n${skippedNames.map((s) => `  ${s}`).join('\n') || `  ${skipped} test(s)`}`,
  );
}
console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failures.length || failed || skipped ? 1 : 0);
