/** The frozen spot-check sample, `plan.json` (DESIGN §4). */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface PlanItem {
  key: string;
  index: number;
  hash: string;
  stratum: string;
}

export interface Plan {
  version: 1;
  name: string;
  dataset: {
    /** Dataset path relative to the plan's folder (posix separators), so plans travel with data. */
    path: string;
    bytes: number;
    mtimeMs: number;
    fingerprint: string;
    format?: string;
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
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'plan.json');
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, JSON.stringify(plan, null, 1) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  return file;
}

/** Reads a plan from its folder (or the plan.json path itself); errors name the file and field. */
export function readPlan(dirOrFile: string): Plan & { dir: string; datasetAbs: string } {
  const file = dirOrFile.endsWith('.json') ? dirOrFile : path.join(dirOrFile, 'plan.json');
  let plan: Plan;
  try {
    plan = JSON.parse(fs.readFileSync(file, 'utf8')) as Plan;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(err.code === 'ENOENT' ? `${file}: no plan here (create one with "cocurate sample")` : `${file}: ${err.message}`);
  }
  for (const f of ['name', 'dataset', 'seed', 'items', 'population'] as const) {
    if (plan[f] === undefined) throw new Error(`${file}: field "${f}" is missing; not a spot-check plan`);
  }
  if (!Array.isArray(plan.items)) throw new Error(`${file}: field "items" must be an array`);
  const dir = path.dirname(file);
  return { ...plan, dir, datasetAbs: path.resolve(dir, plan.dataset.path) };
}

/** Plans under a curation folder, by name. */
export function listPlans(curationFolder: string): string[] {
  const root = path.join(curationFolder, 'spotchecks');
  try {
    return fs.readdirSync(root).filter((n) => fs.existsSync(path.join(root, n, 'plan.json'))).sort();
  } catch {
    return [];
  }
}
