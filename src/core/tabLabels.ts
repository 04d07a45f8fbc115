/**
 * Labels that tell files apart the way VS Code's own tab labels do (ARCHITECTURE.md, "Extension
 * host"): a file's name, and when another file of the same name is in the list, as many of its
 * parent folders as it takes to make the label unique ("train.jsonl (setA)", "data.json (b/x)").
 */
import * as path from 'node:path';

/** Each distinct path's label: its base name, plus the shortest parent-folder suffix that tells it apart. */
export function distinctLabels(paths: readonly string[]): Map<string, string> {
  const unique = [...new Set(paths.map((p) => path.resolve(p)))];
  const out = new Map<string, string>();
  const byName = new Map<string, string[]>();
  for (const p of unique) byName.set(path.basename(p), [...(byName.get(path.basename(p)) ?? []), p]);
  for (const [name, group] of byName) {
    if (group.length === 1) {
      out.set(group[0], name);
      continue;
    }
    const parents = group.map((p) => path.dirname(p).split(path.sep).filter(Boolean));
    const suffix = (parts: string[], k: number) => parts.slice(Math.max(0, parts.length - k)).join('/');
    const longest = Math.max(...parents.map((p) => p.length));
    group.forEach((p, i) => {
      let k = 1;
      while (k < longest && parents.some((q, j) => j !== i && suffix(q, k) === suffix(parents[i], k))) k++;
      out.set(p, `${name} (${suffix(parents[i], k) || path.sep})`);
    });
  }
  return out;
}
