// Bundles the extension host, the language server, the CLI and the webviews with esbuild.
// Entries whose source file does not exist yet are skipped, so the build grows with the project.
import * as esbuild from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
// Native or heavyweight packages that must stay outside the bundle (loaded from node_modules).
const nodeExternals = ['vscode', 'sharp', '@huggingface/transformers', 'onnxruntime-node'];

const nodeEntries = [
  ['src/extension/main.ts', 'dist/extension.js'],
  ['src/server/main.ts', 'dist/server.js'],
  ['src/cli/main.ts', 'dist/cli.js'],
  ['src/core/cues/cueWorker.ts', 'dist/cueWorker.js'], // worker thread of the cue pool, beside the bundles that start it
  ['src/core/indexWorker.ts', 'dist/indexWorker.js'], // worker thread that indexes a dataset for the extension host
  ['src/core/curate/applyWorker.ts', 'dist/applyWorker.js'], // worker thread that writes a curated dataset for the extension host
  ['src/core/scanWorker.ts', 'dist/scanWorker.js'], // worker thread that scans the second half of a large dataset (cli.js, indexWorker.js)
].filter(([src]) => existsSync(path.join(root, src)));

const webviewEntries = existsSync(path.join(root, 'webview'))
  ? readdirSync(path.join(root, 'webview'))
      .filter((f) => /^[a-zA-Z]+Main\.ts$/.test(f))
      .map((f) => [`webview/${f}`, `dist/webview/${f.replace(/Main\.ts$/, '')}.js`])
  : [];

// The CLI's commands are bundles of their own, dist/cli-<command>.js beside dist/cli.js (which keeps
// only the command table): the table's import('./info') is left to run time as a require, so
// `cocurate info` compiles its own code, not every command's (ARCHITECTURE.md, "CLI").
const commandsDir = path.join(root, 'src', 'cli', 'commands');
const cliCommands = existsSync(commandsDir)
  ? readdirSync(commandsDir)
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .map((f) => f.slice(0, -3))
  : [];
const cliCommandsApart = {
  name: 'cli-commands-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/[\w-]+$/ }, (a) =>
      a.importer === path.join(commandsDir, 'index.ts') && cliCommands.includes(a.path.slice(2))
        ? { path: `./cli-${a.path.slice(2)}.js`, external: true }
        : undefined,
    );
  },
};
const cliEntries = cliCommands.map((c) => [`src/cli/commands/${c}.ts`, `dist/cli-${c}.js`]);

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', absWorkingDir: root };
const builds = [
  ...[...nodeEntries, ...cliEntries].map(([src, out]) => ({
    ...common,
    entryPoints: [src],
    outfile: out,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    mainFields: ['module', 'main'],
    external: nodeExternals,
    ...(src === 'src/cli/main.ts' ? { plugins: [cliCommandsApart], supported: { 'dynamic-import': false } } : {}),
  })),
  ...webviewEntries.map(([src, out]) => ({ ...common, entryPoints: [src], outfile: out, platform: 'browser', target: 'es2022', format: 'iife' })),
];

if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
  console.log(`watching ${builds.length} bundles`);
} else {
  const t = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`built ${builds.map((b) => b.outfile).join(', ')} in ${Date.now() - t} ms`);
}
