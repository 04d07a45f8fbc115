// `npm run package [-- --target linux-arm64]`: production bundles (esbuild, minified, no maps), then a
// platform-specific .vsix with @vscode/vsce. The target defaults to this machine's platform; sharp's
// prebuilt binary for that target (@img/sharp-<target>) must be installed in node_modules, e.g.
// `npm install --no-save --os=linux --cpu=arm64 sharp` before packaging for linux-arm64.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const ti = argv.indexOf('--target');
const target = ti >= 0 ? argv[ti + 1] : `${process.platform}-${process.arch}`;
const outArg = argv.indexOf('--out');
const version = (await import(path.join(root, 'package.json'), { with: { type: 'json' } })).default.version;
const out = outArg >= 0 ? path.resolve(argv[outArg + 1]) : path.join(root, `co-instruct-curator-${target}-${version}.vsix`);

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`package: ${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(2);
  }
}

const sharpBinary = target === 'win32-x64' ? 'sharp-win32-x64' : `sharp-${target}`;
if (!existsSync(path.join(root, 'node_modules', '@img', sharpBinary))) {
  console.error(
    `package: node_modules/@img/${sharpBinary} is missing, so the .vsix for ${target} would have no image preprocessing; ` +
      `install it first: npm install --no-save --os=${target.split('-')[0]} --cpu=${target.split('-')[1]} sharp`,
  );
  process.exit(2);
}

// Source maps of an earlier development build stay on disk; .vscodeignore leaves them out.
run(process.execPath, ['scripts/build.mjs', '--production']);
run(process.execPath, [path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--target', target, '--no-rewrite-relative-links', '--out', out]);
console.log(`package: ${path.relative(process.cwd(), out)} (${(statSync(out).size / 1e6).toFixed(1)} MB, target ${target})`);
