// `npm start`: builds the extension and opens a real VS Code on the bundled demo dataset with the
// curator. Uses the desktop `code` when it is on PATH; otherwise code-server 4.100.3 in the browser
// (installed on first use by scripts/install-code-server.sh into .code-server/) and prints its URL.
//   env PORT=8080 (code-server port; default: 8080, or a free one)   NO_DESKTOP=1 (skip `code`)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const demo = path.join(root, 'demo');
const dataset = path.join(demo, 'coinstruct-demo.json');
const say = (m) => console.log(`[start] ${m}`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  if (r.status !== 0) {
    console.error(`[start] ${cmd} ${args.join(' ')} failed (exit ${r.status})`);
    process.exit(2);
  }
}

function onPath(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).status === 0;
}

function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function anyPort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

say('building');
run(process.execPath, ['scripts/build.mjs']);

// The extension opens this file with the curator once it starts (see curatorEditorFeature.ts).
const env = { ...process.env, COCURATE_OPEN_DATASET: dataset };

if (!process.env.NO_DESKTOP && onPath('code')) {
  say(`opening VS Code on ${demo}`);
  run('code', ['--new-window', `--extensionDevelopmentPath=${root}`, demo], { env });
  say('VS Code is open: the demo dataset shows in the Curator; "Curator: New Spot Check" starts a review.');
  process.exit(0);
}

const bin = path.join(root, '.code-server', 'node_modules', '.bin', 'code-server');
if (!existsSync(bin)) say('code-server is not installed yet: installing 4.100.3 (about 2 minutes, once)');
run('bash', [path.join(root, 'scripts', 'install-code-server.sh')]);

const runDir = path.join(root, '.code-server', 'run');
const userData = path.join(runDir, 'user-data');
mkdirSync(path.join(userData, 'User'), { recursive: true });
const settingsFile = path.join(userData, 'User', 'settings.json');
if (!existsSync(settingsFile)) {
  writeFileSync(
    settingsFile,
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.ignoreRecommendations': true,
        'workbench.enableExperiments': false,
        'git.openRepositoryInParentFolders': 'never',
      },
      null,
      2,
    ),
  );
}
const wanted = Number(process.env.PORT ?? 8080);
const port = (await portFree(wanted)) ? wanted : await anyPort();
const authority = `127.0.0.1:${port}`;
const payload = encodeURIComponent(JSON.stringify([['extensionDevelopmentPath', `vscode-remote://${authority}${root}`]]));
const url = `http://${authority}/?folder=${encodeURIComponent(demo)}&payload=${payload}`;

const child = spawn(
  bin,
  [
    '--bind-addr',
    authority,
    '--auth',
    'none',
    '--user-data-dir',
    userData,
    '--extensions-dir',
    path.join(runDir, 'extensions'),
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    demo,
  ],
  { stdio: ['ignore', 'ignore', 'inherit'], env: { ...env, XDG_CONFIG_HOME: path.join(runDir, 'xdg-config'), XDG_DATA_HOME: path.join(runDir, 'xdg-data') } },
);

process.on('SIGINT', () => {
  child.kill('SIGTERM');
});
process.on('SIGTERM', () => {
  child.kill('SIGTERM');
});
child.on('exit', (code) => process.exit(code ?? 0));

say(`code-server ${path.relative(root, bin)} is starting on ${authority}`);
console.log(`\n  Open this URL in a browser (Chromium or Chrome; it must stay on 127.0.0.1 or localhost):\n\n  ${url}\n`);
say('the demo dataset opens in the Curator; run "Curator: New Spot Check" (F1) and mark items with c / x / s. Ctrl+C stops.');
