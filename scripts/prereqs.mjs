// What `npm test` needs beyond node_modules, found on PATH and installed when it can be.
//   - a Chromium (CHROMIUM, else chromium / chromium-browser / google-chrome on PATH)  webview, e2e
//   - code-server 4.100.3 in .code-server/ (scripts/install-code-server.sh)            unit (VS Code's
//     JSONL grammar), e2e
//   - unzip                                                                            e2e (packaged)
//   - a python3 on PATH that imports pytest, httpx, fastapi, uvicorn and PIL          serve
// Running as root with apt-get, missing Debian packages are installed (apt-get update once, then
// install); otherwise one line per missing prerequisite names it and the command that installs it.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';

const say = (m) => console.log(`[prereqs] ${m}`);

/** Every executable called `name` in PATH order (all of them, not just the first). */
export function allOnPath(name) {
  const found = [];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile() && !found.includes(p)) found.push(p);
    } catch {
      // not here: try the next PATH entry
    }
  }
  return found;
}

export const onPath = (name) => allOnPath(name)[0];

export function findChromium() {
  if (process.env.CHROMIUM) return existsSync(process.env.CHROMIUM) ? process.env.CHROMIUM : undefined;
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const p = onPath(name);
    if (p) return p;
  }
  return undefined;
}

const PY_MODULES = ['pytest', 'httpx', 'fastapi', 'uvicorn', 'PIL'];

/** The first python3 on PATH that imports every module the serve tests need. */
export function findPython() {
  for (const py of allOnPath('python3')) {
    const r = spawnSync(py, ['-c', `import ${PY_MODULES.join(', ')}`], { stdio: 'ignore' });
    if (r.status === 0) return py;
  }
  return undefined;
}

function codeServerReady(root) {
  // The install script is idempotent and checks the version and native addons in about a second.
  const r = spawnSync('bash', [path.join(root, 'scripts', 'install-code-server.sh')], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, SKIP_APT: canApt() ? '0' : '1' },
  });
  return r.status === 0;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
const canApt = () => isRoot() && Boolean(onPath('apt-get'));

let aptUpdated = false;
function aptInstall(pkgs) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    say('apt-get update');
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    aptUpdated = true;
  }
  say(`apt-get install ${pkgs.join(' ')}`);
  const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: ['ignore', 'ignore', 'inherit'], env });
  return r.status === 0;
}

/**
 * Makes sure the prerequisites of the chosen stages are there. Returns
 * `{ ok, chromium, python, missing: string[] }`; `missing` holds one line per prerequisite that is
 * still missing, naming the command that installs it.
 */
export function ensurePrereqs(root, stages) {
  const need = (s) => stages.includes(s);
  const checks = [];
  if (need('webview') || need('e2e')) {
    checks.push({ name: 'Chromium', find: findChromium, apt: ['chromium'], how: 'apt-get install chromium (or set CHROMIUM=/path/to/chrome)' });
  }
  if (need('e2e')) {
    checks.push({ name: 'unzip', find: () => onPath('unzip'), apt: ['unzip'], how: 'apt-get install unzip' });
  }
  if (need('serve')) {
    checks.push({
      name: `python3 with ${PY_MODULES.join(', ')}`,
      find: findPython,
      apt: ['python3-pytest', 'python3-httpx', 'python3-fastapi', 'python3-uvicorn', 'python3-pil'],
      how: 'apt-get install python3-pytest python3-httpx python3-fastapi python3-uvicorn python3-pil',
    });
  }
  const missing = [];
  const found = {};
  const absent = checks.filter((c) => !(found[c.name] = c.find()));
  if (absent.length && canApt()) {
    aptInstall(absent.flatMap((c) => c.apt));
    for (const c of absent) found[c.name] = c.find();
  }
  for (const c of checks) if (!found[c.name]) missing.push(`missing ${c.name}: ${c.how}`);
  if ((need('e2e') || need('unit')) && !codeServerReady(root)) {
    missing.push('missing code-server 4.100.3 in .code-server/: bash scripts/install-code-server.sh (as root, or with ripgrep and libkrb5-dev installed)');
  }
  return {
    ok: missing.length === 0,
    missing,
    chromium: found.Chromium,
    python: found[`python3 with ${PY_MODULES.join(', ')}`],
  };
}
