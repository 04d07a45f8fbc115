// The README's test command: build, compile, then every test stage that needs no network.
// Stages: unit + language server (mocha), webview (headless Chromium), e2e (code-server),
// Python companion server (pytest). Prints one closing line "tests: N passed, N failed".
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2); // e.g. `npm test -- unit webview`
let passed = 0, failed = 0, skipped = 0;
const failures = [];

function run(label, cmd, args, opts = {}) {
  return new Promise((resolve) => {
    console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`);
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    let text = '';
    const onData = (stream) => (d) => { text += d; stream.write(d); };
    child.stdout.on('data', onData(process.stdout));
    child.stderr.on('data', onData(process.stderr));
    child.on('close', (code) => {
      const plain = text.replace(/\x1b\[[0-9;]*m/g, '');
      const num = (re) => { const m = plain.match(re); return m ? Number(m[1]) : 0; };
      if (opts.kind === 'mocha') {
        passed += num(/(\d+) passing/); failed += num(/(\d+) failing/); skipped += num(/(\d+) pending/);
      } else if (opts.kind === 'pytest') {
        passed += num(/(\d+) passed/); failed += num(/(\d+) failed/) + num(/(\d+) errors?\b/); skipped += num(/(\d+) skipped/);
      }
      if (code !== 0) failures.push(`${label} (exit ${code})`);
      resolve(code);
    });
  });
}

function hasTests(dir) {
  const abs = path.join(root, dir);
  if (!existsSync(abs)) return false;
  const walk = (d) => readdirSync(d).some((f) => {
    const p = path.join(d, f);
    return statSync(p).isDirectory() ? walk(p) : /\.test\.js$/.test(f);
  });
  return walk(abs);
}
const want = (stage) => only.length === 0 || only.includes(stage);

const node = process.execPath;
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

if ((await run('build', node, ['scripts/build.mjs'])) !== 0) process.exit(1);
if ((await run('compile', bin('tsc'), ['-p', '.'])) !== 0) process.exit(1);

if (want('unit')) await run('unit + server', bin('mocha'), ['--config', '.mocharc.json'], { kind: 'mocha' });
if (want('webview') && hasTests('out/test/webview')) {
  await run('webview (Chromium)', bin('mocha'), ['--no-config', '--timeout', '60000', 'out/test/webview/**/*.test.js'], { kind: 'mocha' });
}
if (want('e2e') && hasTests('out/test/e2e') && !process.env.COCURATE_SKIP_E2E) {
  await run('e2e (code-server)', bin('mocha'), ['--no-config', '--timeout', '240000', '--retries', '1', 'out/test/e2e/**/*.test.js'], { kind: 'mocha' });
}
if (want('serve') && existsSync(path.join(root, 'serve', 'tests'))) {
  const py = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  await run('serve (pytest)', py, ['-m', 'pytest', '-q', 'serve/tests'], { kind: 'pytest' });
}

if (failures.length) console.log(`\nfailed stages: ${failures.join('; ')}`);
console.log(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failures.length || failed ? 1 : 0);
