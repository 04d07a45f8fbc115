/**
 * The verdict journal (ARCHITECTURE.md, "Verdict journal"): one append-only JSONL file per reviewer. Each line is flushed to
 * disk (fsync) before append() returns, so a verdict the UI shows as saved survives a crash. A torn
 * last line (crash mid-write) is ignored with a warning when reading.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { jsonType } from './jsonType';
import { fileKind, NotRegularFileError, openRegularFile } from './regularFile';

export type VerdictValue = 'correct' | 'incorrect' | 'skip';
export type JournalVerdict = VerdictValue | 'undo';

export interface VerdictLine {
  v: 1;
  key: string;
  hash: string;
  verdict: JournalVerdict;
  note?: string;
  /** The right label for an item judged incorrect (issue #17); replaces the label on export. */
  correction?: string;
  /** Why the item is wrong: short reason names from a configurable list. */
  reasons?: string[];
  reviewer: string;
  at: string;
}

/** A journal line that gives a verdict (not an undo). */
export type JudgedLine = VerdictLine & { verdict: VerdictValue };

export function isJudged(l: VerdictLine): l is JudgedLine {
  return l.verdict !== 'undo';
}

/** Reviewer names become file names: keep letters, digits, dot, dash, underscore. */
export function reviewerSlug(reviewer: string): string {
  const s = reviewer
    .trim()
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '');
  return s || 'reviewer';
}

export function journalPath(spotcheckDir: string, reviewer: string): string {
  return path.join(spotcheckDir, `verdicts-${reviewerSlug(reviewer)}.jsonl`);
}

/** Appends lines to one reviewer's journal; each append is on disk when it returns. */
export class VerdictJournal {
  private fd: number | undefined;
  constructor(readonly file: string) {}

  private open(): number {
    if (this.fd !== undefined) return this.fd;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const fd = fs.openSync(this.file, 'a+');
    const st = fs.fstatSync(fd);
    if (!st.isFile()) {
      fs.closeSync(fd);
      throw new NotRegularFileError(this.file, fileKind(st), 'verdict journal');
    }
    // If a crash left a torn last line, start on a fresh line so the new entry stays whole.
    const size = fs.fstatSync(fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      fs.readSync(fd, last, 0, 1, size - 1);
      if (last[0] !== 0x0a) {
        fs.writeSync(fd, '\n');
        fs.fsyncSync(fd);
      }
    }
    this.fd = fd;
    return fd;
  }

  /** Writes and fsyncs one line; returns the line as written. */
  append(entry: Omit<VerdictLine, 'v' | 'at'> & { at?: string }): VerdictLine {
    const line: VerdictLine = {
      v: 1,
      key: entry.key,
      hash: entry.hash,
      verdict: entry.verdict,
      ...(entry.note !== undefined ? { note: entry.note } : {}),
      ...(entry.correction !== undefined ? { correction: entry.correction } : {}),
      ...(entry.reasons !== undefined && entry.reasons.length ? { reasons: [...entry.reasons] } : {}),
      reviewer: entry.reviewer,
      at: entry.at ?? new Date().toISOString(),
    };
    const fd = this.open();
    fs.writeSync(fd, JSON.stringify(line) + '\n');
    fs.fsyncSync(fd);
    return line;
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

export interface ReadJournal {
  reviewer: string;
  file: string;
  lines: VerdictLine[];
  /** Current verdict per key: the latest line not cancelled by an undo (never an undo itself). */
  latest: Map<string, JudgedLine>;
  warnings: string[];
}

/** Reads a journal's text; refuses what is not a regular file (a FIFO would block, a device never end). */
function readJournalText(file: string): string {
  let fd: number;
  try {
    fd = openRegularFile(file, 'verdict journal').fd;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return '';
    if (e instanceof NotRegularFileError) throw e;
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  try {
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** Why a parsed line is not a verdict line, or undefined when it is one. */
function lineProblem(v: unknown): string | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'not a verdict line (needs "key" and "verdict")';
  const o = v as Record<string, unknown>;
  if (typeof o.key !== 'string' || !['correct', 'incorrect', 'skip', 'undo'].includes(o.verdict as string))
    return 'not a verdict line (needs "key" and "verdict")';
  for (const f of ['note', 'reviewer', 'hash', 'at', 'correction'] as const) {
    if (f in o && typeof o[f] !== 'string') return `field "${f}" must be a string, not ${jsonType(o[f])}`;
  }
  if ('reasons' in o && !(Array.isArray(o.reasons) && o.reasons.every((r) => typeof r === 'string')))
    return `field "reasons" must be an array of strings, not ${Array.isArray(o.reasons) ? 'an array holding other values' : jsonType(o.reasons)}`;
  return undefined;
}

/**
 * Reads a journal. An "undo" line cancels the most recent standing verdict for its key (undo twice
 * goes back two steps). Malformed lines are skipped with a warning naming the line.
 */
export function readJournal(file: string): ReadJournal {
  const warnings: string[] = [];
  const lines: VerdictLine[] = [];
  const text = readJournalText(file);
  const rows = text.split('\n');
  const endsClean = text.endsWith('\n') || text === '';
  rows.forEach((row, k) => {
    if (row.trim() === '') return;
    const isLast = k === rows.length - 1;
    let v: unknown;
    try {
      v = JSON.parse(row);
    } catch {
      warnings.push(isLast && !endsClean ? `${file}:${k + 1}: torn last line (the write was interrupted); ignored` : `${file}:${k + 1}: invalid JSON; ignored`);
      return;
    }
    const problem = lineProblem(v);
    if (problem) {
      warnings.push(`${file}:${k + 1}: ${problem}; ${problem.startsWith('field') ? 'line ' : ''}ignored`);
      return;
    }
    lines.push(v as VerdictLine);
  });
  const stacks = new Map<string, JudgedLine[]>();
  for (const l of lines) {
    const s = stacks.get(l.key) ?? [];
    if (isJudged(l)) s.push(l);
    else s.pop();
    stacks.set(l.key, s);
  }
  const latest = new Map<string, JudgedLine>();
  for (const [k, s] of stacks) if (s.length) latest.set(k, s[s.length - 1]);
  const m = /verdicts-(.+)\.jsonl$/.exec(path.basename(file));
  const reviewer = lines.find((l) => l.reviewer)?.reviewer ?? (m ? m[1] : path.basename(file));
  return { reviewer, file, lines, latest, warnings };
}

/** Every reviewer's journal in a spot-check folder. */
export function readAllJournals(spotcheckDir: string): ReadJournal[] {
  let names: string[] = [];
  try {
    names = fs.readdirSync(spotcheckDir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /^verdicts-.+\.jsonl$/.test(n))
    .sort()
    .map((n) => readJournal(path.join(spotcheckDir, n)));
}
