/** The frozen spot-check sample, `plan.json` (ARCHITECTURE.md, "Sampling and plans"). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomicWrite';
import { FORMAT_IDS, type FormatId } from './item';
import { jsonType } from './jsonType';
import { NotRegularFileError, openRegularFile } from './regularFile';

export interface PlanItem {
  key: string;
  index: number;
  hash: string;
  stratum: string;
}

export interface Plan {
  version: 1;
  name: string;
  /**
   * `hunt`: a non-random queue, most suspicious first (issue #16, ARCHITECTURE.md "Image cues and
   * label claims"); its verdicts measure the hunt's precision and never enter the spot checks'
   * estimates. Absent: a random spot check.
   */
  kind?: 'spot-check' | 'hunt';
  /** For a hunt: the suspicion score of each item, in plan order, and how it was computed. */
  hunt?: { method: string; scores: number[] };
  dataset: {
    /** Dataset path relative to the plan's folder (posix separators), so plans travel with data. */
    path: string;
    bytes: number;
    mtimeMs: number;
    fingerprint: string;
    format?: FormatId;
  };
  seed: string;
  size: number;
  strata: string;
  /** Per-stratum sizes when given explicitly instead of proportional allocation. */
  sizes?: Record<string, number>;
  population: Record<string, number>;
  items: PlanItem[];
  createdAt: string;
  createdBy: string;
}

/** A plan's reference to its dataset: the path relative to the plan folder (posix), size, mtime, fingerprint, format. */
export function planDatasetRef(
  ds: { path: string; bytes: number; mtimeMs: number; fingerprint(): string; format?: FormatId },
  planDir: string,
): Plan['dataset'] {
  return {
    path: path.relative(planDir, ds.path).split(path.sep).join('/'),
    bytes: ds.bytes,
    mtimeMs: ds.mtimeMs,
    fingerprint: ds.fingerprint(),
    format: ds.format,
  };
}

export const CURATION_FOLDER = '.curator';

/** Default curation folder for a dataset: `.curator/` beside it. */
export function curationFolderFor(datasetPath: string): string {
  return path.join(path.dirname(path.resolve(datasetPath)), CURATION_FOLDER);
}

export function spotcheckDir(curationFolder: string, name: string): string {
  return path.join(curationFolder, 'spotchecks', name);
}

export function validatePlanName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) {
    throw new Error(`spot-check name "${name}" may only hold letters, digits, ".", "_" and "-" (start with a letter or digit)`);
  }
  return name;
}

/** Writes plan.json atomically (temp file + rename) and fsyncs it. */
export function writePlan(dir: string, plan: Plan): string {
  const file = path.join(dir, 'plan.json');
  writeFileAtomic(file, JSON.stringify(plan, null, 1) + '\n', { fsync: true });
  return file;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * Checks a parsed plan.json field by field; returns the first problem as `field "…" …`, or undefined.
 * Required: name, dataset.path, seed, items (objects with key, index, hash, stratum; no key twice),
 * population (stratum → count). Optional fields are checked when present.
 */
export function planProblem(p: unknown): string | undefined {
  if (!isObject(p)) return `must hold a JSON object, not ${jsonType(p)}; not a spot-check plan`;
  for (const f of ['name', 'dataset', 'seed', 'items', 'population'] as const) {
    if (p[f] === undefined) return `field "${f}" is missing; not a spot-check plan`;
  }
  const str = (v: unknown, f: string) => (typeof v === 'string' ? undefined : `field "${f}" must be a string, not ${jsonType(v)}`);
  const problem =
    str(p.name, 'name') ??
    (typeof p.seed === 'string' || typeof p.seed === 'number' ? undefined : `field "seed" must be a string or number, not ${jsonType(p.seed)}`) ??
    (p.strata !== undefined ? str(p.strata, 'strata') : undefined) ??
    (p.createdAt !== undefined ? str(p.createdAt, 'createdAt') : undefined) ??
    (p.createdBy !== undefined ? str(p.createdBy, 'createdBy') : undefined) ??
    (p.size !== undefined && !isCount(p.size) ? `field "size" must be a whole number ≥ 0, not ${JSON.stringify(p.size)}` : undefined);
  if (problem) return problem;
  if (!isObject(p.dataset)) return `field "dataset" must be an object, not ${jsonType(p.dataset)}`;
  const d = p.dataset;
  if (d.path === undefined) return 'field "dataset.path" is missing';
  for (const f of ['path', 'fingerprint', 'format'] as const)
    if (d[f] !== undefined && typeof d[f] !== 'string') return `field "dataset.${f}" must be a string, not ${jsonType(d[f])}`;
  if (d.format !== undefined && !(FORMAT_IDS as readonly unknown[]).includes(d.format))
    return `field "dataset.format" must be one of ${FORMAT_IDS.join(', ')}, not ${JSON.stringify(d.format)}`;
  for (const f of ['bytes', 'mtimeMs'] as const)
    if (d[f] !== undefined && typeof d[f] !== 'number') return `field "dataset.${f}" must be a number, not ${jsonType(d[f])}`;
  if (!isObject(p.population)) return `field "population" must be an object (stratum → number of records), not ${jsonType(p.population)}`;
  for (const [k, v] of Object.entries(p.population)) if (!isCount(v)) return `field "population.${k}" must be a whole number ≥ 0, not ${JSON.stringify(v)}`;
  if (p.sizes !== undefined) {
    if (!isObject(p.sizes)) return `field "sizes" must be an object, not ${jsonType(p.sizes)}`;
    for (const [k, v] of Object.entries(p.sizes)) if (!isCount(v)) return `field "sizes.${k}" must be a whole number ≥ 0, not ${JSON.stringify(v)}`;
  }
  if (!Array.isArray(p.items)) return `field "items" must be an array, not ${jsonType(p.items)}`;
  const seen = new Map<string, number>();
  for (let i = 0; i < p.items.length; i++) {
    const it: unknown = p.items[i];
    const f = `items[${i}]`;
    if (!isObject(it)) return `field "${f}" must be an object, not ${jsonType(it)}`;
    for (const k of ['key', 'hash', 'stratum'] as const) if (typeof it[k] !== 'string') return `field "${f}.${k}" must be a string, not ${jsonType(it[k])}`;
    if (!isCount(it.index)) return `field "${f}.index" must be a whole number ≥ 0, not ${JSON.stringify(it.index) ?? 'missing'}`;
    const first = seen.get(it.key as string);
    if (first !== undefined) return `field "${f}.key": ${JSON.stringify(it.key)} is already items[${first}]; a plan lists each item once`;
    seen.set(it.key as string, i);
  }
  return undefined;
}

/** Reads a plan from its folder (or the plan.json path itself); errors name the file and field. */
/** A plan as read from disk, with its folder and the dataset's absolute path. */
export type LoadedPlan = Plan & { dir: string; datasetAbs: string };

export function readPlan(dirOrFile: string): LoadedPlan {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : path.join(dirOrFile, 'plan.json');
  let plan: Plan;
  try {
    const { fd } = openRegularFile(file, 'spot-check plan');
    try {
      plan = JSON.parse(fs.readFileSync(fd, 'utf8')) as Plan;
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (e instanceof NotRegularFileError) throw e;
    throw new Error(err.code === 'ENOENT' ? `${file}: no plan here (create one with "cocurate sample")` : `${file}: ${err.message}`);
  }
  const problem = planProblem(plan);
  if (problem) throw new Error(`${file}: ${problem}`);
  const dir = path.dirname(file);
  return { ...plan, strata: plan.strata ?? 'none', dir, datasetAbs: path.resolve(dir, plan.dataset.path) };
}

/** Plans under a curation folder, by name. */
export function listPlans(curationFolder: string): string[] {
  const root = path.join(curationFolder, 'spotchecks');
  try {
    return fs
      .readdirSync(root)
      .filter((n) => fs.existsSync(path.join(root, n, 'plan.json')))
      .sort();
  } catch {
    return [];
  }
}
