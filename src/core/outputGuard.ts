/**
 * The one check every command runs on where it is told to write (ARCHITECTURE.md, CLI): an output
 * never replaces a dataset, a spot-check plan, a verdict journal or a decisions file, nor any file
 * the command reads, whether named directly or through a symlink or hard link; it is not a folder,
 * FIFO or device. Refusals are one line naming the path.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sniffDataset } from './datasetSniff';
import { readPlan } from './plan';
import { fileKind } from './regularFile';

/** An output the guard refused; the CLI prints its message and exits 2. */
export class OutputRefused extends Error {}

export interface OutputGuardOptions {
  /** Files the command reads (datasets, score lists, plans): never written. */
  inputs?: string[];
  /** Spot-check folders the command reads: their plan, journals, decisions and dataset are protected. */
  planDirs?: string[];
  /** Other outputs of the same run: this one must differ from them. */
  otherOutputs?: string[];
  /** The output may be an existing dataset (build continues its own output). Default: refused. */
  mayBeDataset?: boolean;
  /** The output is a folder (e.g. sample's curation folder) rather than a file. */
  folder?: boolean;
  /** How the command names this output in the advice, e.g. "--out" (the default). */
  flag?: string;
}

/** What a file is, judged by its name alone: curation files every command must leave alone. */
export function protectedKind(file: string): string | undefined {
  const base = path.basename(file);
  if (base === 'plan.json') return 'a spot-check plan';
  if (/^verdicts-.+\.jsonl$/.test(base)) return 'a verdict journal';
  if (base === 'decisions.json') return 'a spot-check decisions file';
  return undefined;
}

function realOrResolved(p: string): string {
  const abs = path.resolve(p);
  try {
    return fs.realpathSync(abs);
  } catch {
    /* not there (yet) */
  }
  try {
    return path.join(fs.realpathSync(path.dirname(abs)), path.basename(abs));
  } catch {
    return abs;
  }
}

function statOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

/** The first 256 KiB of a regular file, as text. */
function head(file: string): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(1 << 18);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.toString('utf8', 0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Checks an output path; returns it absolute, or throws OutputRefused with one line naming it.
 * Run it before any work, so a refused command costs nothing.
 */
export function guardOutput(out: string, opts: OutputGuardOptions = {}): string {
  const abs = path.resolve(out);
  const flag = opts.flag ?? '--out';
  const refuse = (why: string): never => {
    throw new OutputRefused(`refusing to write ${abs}: ${why}; choose another ${flag}`);
  };
  const real = realOrResolved(abs);
  const via = real !== abs ? `it leads to ${real}, ` : 'it is ';
  const st = statOrUndefined(abs);

  if (opts.folder) {
    if (st && !st.isDirectory()) throw new OutputRefused(`${abs} is not a folder (${flag} names the folder to write into); choose another ${flag}`);
    return abs;
  }
  if (st?.isDirectory()) refuse('it is a folder, not a file');
  if (st && !st.isFile()) refuse(`${via}${fileKind(st)}, not a regular file`);
  for (const p of new Set([abs, real])) {
    const kind = protectedKind(p);
    if (kind) refuse(`${p === abs ? 'it is ' : via}${kind}`);
  }

  const protect: { file: string; what: string }[] = [];
  for (const f of opts.inputs ?? []) protect.push({ file: f, what: 'a file this command reads' });
  for (const dir of opts.planDirs ?? []) {
    try {
      const plan = readPlan(dir);
      protect.push({ file: plan.datasetAbs, what: `the dataset of spot check "${plan.name}"` });
    } catch {
      /* an unreadable plan is reported by the command itself */
    }
  }
  for (const f of opts.otherOutputs ?? []) protect.push({ file: f, what: 'another output of this command' });
  for (const p of protect) {
    const pReal = realOrResolved(p.file);
    const pSt = statOrUndefined(pReal);
    const same = pReal === real || (st && pSt && pSt.dev === st.dev && pSt.ino === st.ino);
    if (same) refuse(`${via}${p.what}`);
  }

  if (st && !opts.mayBeDataset && st.size > 0) {
    const sniff = sniffDataset(head(abs), abs);
    if (sniff.dataset) refuse(`${via}a dataset (${sniff.format})`);
  }
  return abs;
}
