/**
 * Spot-check verdicts recorded for a dataset: every `.curator/spotchecks/<name>/verdicts-*.jsonl`
 * beside the dataset whose plan names this dataset. Re-read only when a journal file changes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJournal, type ReadJournal, type VerdictLine } from '../core/verdicts';

export interface KeyVerdict {
  spotcheck: string;
  reviewer: string;
  verdict: VerdictLine['verdict'];
  note?: string;
  at: string;
  hash: string;
}

interface CachedJournal {
  mtimeMs: number;
  size: number;
  journal: ReadJournal;
}

export class SpotcheckVerdicts {
  private journals = new Map<string, CachedJournal>();

  /** Verdicts per item key for the dataset at `datasetPath`, from spot checks in `curationFolder`. */
  forDataset(datasetPath: string, curationFolder: string): Map<string, KeyVerdict[]> {
    const out = new Map<string, KeyVerdict[]>();
    const root = path.join(curationFolder, 'spotchecks');
    let names: string[] = [];
    try {
      names = fs.readdirSync(root);
    } catch {
      return out;
    }
    for (const name of names.sort()) {
      const dir = path.join(root, name);
      if (!this.planNames(dir, datasetPath)) continue;
      let files: string[] = [];
      try {
        files = fs
          .readdirSync(dir)
          .filter((f) => /^verdicts-.+\.jsonl$/.test(f))
          .sort();
      } catch {
        continue;
      }
      for (const f of files) {
        const j = this.journal(path.join(dir, f));
        if (!j) continue;
        for (const [key, line] of j.latest) {
          const list = out.get(key) ?? [];
          list.push({ spotcheck: name, reviewer: line.reviewer || j.reviewer, verdict: line.verdict, note: line.note, at: line.at, hash: line.hash });
          out.set(key, list);
        }
      }
    }
    return out;
  }

  /** A spot check belongs to the dataset when its plan names it (or when it has no plan). */
  private planNames(dir: string, datasetPath: string): boolean {
    let plan: { dataset?: { path?: string } };
    try {
      plan = JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8'));
    } catch {
      return true;
    }
    const p = plan.dataset?.path;
    if (typeof p !== 'string') return true;
    // Plans store the dataset path relative to their own folder.
    return path.resolve(dir, p) === path.resolve(datasetPath);
  }

  private journal(file: string): ReadJournal | undefined {
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      return undefined;
    }
    const hit = this.journals.get(file);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.journal;
    const journal = readJournal(file);
    this.journals.set(file, { mtimeMs: st.mtimeMs, size: st.size, journal });
    return journal;
  }
}
