/**
 * The reasons a reviewer gives with one key on an incorrect item (issue #17; ARCHITECTURE.md ›
 * Verdict journal): the `curator.review.reasons` setting read into `{key, reason}` pairs. Keys are
 * the digits 1–9 (each has a contributed keybinding); an entry may be a plain string, which takes
 * the next free digit. Bad entries are left out with a message naming the entry.
 */

export interface ReviewReason {
  /** "1" … "9". */
  key: string;
  reason: string;
}

export const REASON_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/** The defaults; package.json's `curator.review.reasons` default is the same list. */
export const DEFAULT_REVIEW_REASONS: readonly ReviewReason[] = [
  { key: '1', reason: 'wrong ranking' },
  { key: '2', reason: 'claims a distortion that is not there' },
  { key: '3', reason: 'misses a visible distortion' },
  { key: '4', reason: 'vague' },
  { key: '5', reason: 'image problem' },
];

/** Reads the setting's value; `problems` name each entry left out and why. */
export function parseReviewReasons(raw: unknown): { reasons: ReviewReason[]; problems: string[] } {
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { reasons: [...DEFAULT_REVIEW_REASONS], problems };
  if (!Array.isArray(raw)) return { reasons: [...DEFAULT_REVIEW_REASONS], problems: ['curator.review.reasons must be an array; the defaults are used'] };
  const byKey = new Map<string, ReviewReason>();
  const names = new Set<string>();
  const pending: { at: number; reason: string }[] = [];
  raw.forEach((e, i) => {
    const where = `curator.review.reasons[${i}]`;
    let key: unknown;
    let reason: unknown;
    if (typeof e === 'string') reason = e;
    else if (e && typeof e === 'object' && !Array.isArray(e)) ({ key, reason } = e as { key?: unknown; reason?: unknown });
    else {
      problems.push(`${where}: must be a string or {"key", "reason"}; left out`);
      return;
    }
    if (typeof reason !== 'string' || !reason.trim()) {
      problems.push(`${where}: "reason" must be a non-empty string; left out`);
      return;
    }
    const name = reason.trim();
    if (names.has(name)) {
      problems.push(`${where}: "${name}" is listed twice; left out`);
      return;
    }
    if (key === undefined) {
      names.add(name);
      pending.push({ at: i, reason: name });
      return;
    }
    const k = typeof key === 'number' ? String(key) : key;
    if (typeof k !== 'string' || !(REASON_KEYS as readonly string[]).includes(k)) {
      problems.push(`${where}: "key" must be one of the digits 1–9, not ${JSON.stringify(key)}; left out`);
      return;
    }
    if (byKey.has(k)) {
      problems.push(`${where}: key ${k} is taken by "${byKey.get(k)!.reason}"; left out`);
      return;
    }
    names.add(name);
    byKey.set(k, { key: k, reason: name });
  });
  for (const p of pending) {
    const free = REASON_KEYS.find((k) => !byKey.has(k));
    if (!free) {
      problems.push(`curator.review.reasons[${p.at}]: no free key 1–9 for "${p.reason}"; left out`);
      continue;
    }
    byKey.set(free, { key: free, reason: p.reason });
  }
  return { reasons: [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : 1)), problems };
}
