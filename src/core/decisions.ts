/**
 * Spot-check decisions, `decisions.json` in the spot-check folder (ARCHITECTURE.md, curation loop;
 * issue #17): per spot check and per stratum, keep, drop, or keep-with-corrections, with who, when
 * and the report figures the decision rested on. The file keeps every decision in order (history);
 * the latest one per scope (the spot check, or one stratum) counts. Written atomically.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomicWrite';
import { jsonType } from './jsonType';
import { NotRegularFileError, openRegularFile } from './regularFile';

export type DecisionValue = 'keep' | 'drop' | 'keep-with-corrections';
export const DECISION_VALUES: readonly DecisionValue[] = ['keep', 'drop', 'keep-with-corrections'];

/** The report figures a decision rested on. */
export interface DecisionBasis {
  n: number;
  k: number;
  rate: number | null;
  ci: [number, number];
  confidence: number;
  /** Population-weighted estimate (whole spot check with several strata). */
  weighted?: number | null;
  reviewers: string[];
  corrections: number;
  /** Fingerprint of the dataset the plan was drawn from. */
  fingerprint?: string;
}

export interface Decision {
  /** The stratum decided on; absent for the whole spot check. */
  stratum?: string;
  decision: DecisionValue;
  by: string;
  at: string;
  basis: DecisionBasis;
  note?: string;
}

export interface DecisionsFile {
  v: 1;
  decisions: Decision[];
}

export interface ReadDecisions {
  file: string;
  /** Every decision, oldest first. */
  history: Decision[];
  /** The decision that counts for the whole spot check, if any. */
  spotcheck?: Decision;
  /** The decision that counts per stratum. */
  strata: Map<string, Decision>;
}

export function decisionsPath(spotcheckDir: string): string {
  return path.join(spotcheckDir, 'decisions.json');
}

function decisionProblem(d: unknown, i: number): string | undefined {
  const f = `decisions[${i}]`;
  if (!d || typeof d !== 'object' || Array.isArray(d)) return `field "${f}" must be an object, not ${jsonType(d)}`;
  const o = d as Record<string, unknown>;
  if (!DECISION_VALUES.includes(o.decision as DecisionValue))
    return `field "${f}.decision" must be one of ${DECISION_VALUES.join(', ')}, not ${JSON.stringify(o.decision)}`;
  for (const k of ['by', 'at'] as const) if (typeof o[k] !== 'string') return `field "${f}.${k}" must be a string, not ${jsonType(o[k])}`;
  for (const k of ['stratum', 'note'] as const)
    if (o[k] !== undefined && typeof o[k] !== 'string') return `field "${f}.${k}" must be a string, not ${jsonType(o[k])}`;
  if (!o.basis || typeof o.basis !== 'object' || Array.isArray(o.basis)) return `field "${f}.basis" must be an object, not ${jsonType(o.basis)}`;
  return undefined;
}

/** Reads a spot check's decisions (none when the file is absent); errors name the file and field. */
export function readDecisions(spotcheckDir: string): ReadDecisions {
  const file = decisionsPath(spotcheckDir);
  const out: ReadDecisions = { file, history: [], strata: new Map() };
  let text: string;
  try {
    const { fd } = openRegularFile(file, 'decisions file');
    try {
      text = fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return out;
    if (e instanceof NotRegularFileError) throw e;
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`${file}: must hold a JSON object, not ${jsonType(parsed)}`);
  const list = (parsed as Record<string, unknown>).decisions;
  if (!Array.isArray(list)) throw new Error(`${file}: field "decisions" must be an array, not ${jsonType(list)}`);
  list.forEach((d, i) => {
    const p = decisionProblem(d, i);
    if (p) throw new Error(`${file}: ${p}`);
  });
  out.history = list as Decision[];
  for (const d of out.history) {
    if (d.stratum === undefined) out.spotcheck = d;
    else out.strata.set(d.stratum, d);
  }
  return out;
}

/** The decision that applies to a stratum: its own, else the spot check's. */
export function decisionFor(d: ReadDecisions, stratum: string): Decision | undefined {
  return d.strata.get(stratum) ?? d.spotcheck;
}

/** Appends a decision to the folder's decisions.json (temp file, fsync, rename); returns the file. */
export function recordDecision(spotcheckDir: string, decision: Decision): string {
  const cur = readDecisions(spotcheckDir);
  const body: DecisionsFile = { v: 1, decisions: [...cur.history, decision] };
  writeFileAtomic(cur.file, JSON.stringify(body, null, 1) + '\n', { fsync: true });
  return cur.file;
}
