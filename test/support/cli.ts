/** Runs the built `cocurate` CLI (bin/cocurate.js) in a child process, as a user would. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

/** The repository root (tests run from out/test/…). */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const COCURATE_BIN = path.join(REPO_ROOT, 'bin', 'cocurate.js');

export interface CliRun {
  /** The exit code; null when the process was killed (e.g. by the time limit). */
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
  /** stdout parsed as JSON. */
  json(): unknown;
}

export interface CliOptions {
  /** A hang is a failure, not a stuck test run: the process is killed after this (default 60 s). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function runCocurate(args: readonly string[], opts: CliOptions = {}): CliRun {
  const r = spawnSync(process.execPath, [COCURATE_BIN, ...args], {
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 60_000,
    maxBuffer: 1 << 26,
    env: opts.env,
    cwd: opts.cwd,
  });
  const out = r.stdout ?? '';
  return { code: r.status, signal: r.signal, out, err: r.stderr ?? '', json: () => JSON.parse(out) as unknown };
}

/** `cocurate ARGS…` with the default options. */
export function cocurate(...args: string[]): CliRun {
  return runCocurate(args);
}
