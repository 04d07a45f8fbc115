/**
 * The answers cache, `.curator/answers/<profile>.jsonl` (ARCHITECTURE.md, "Endpoint"): one line per answer,
 * keyed by endpoint, model, parameters, prompt text and image content hashes, so a rerun sends
 * nothing already answered. Never holds the API key (nor URL query strings, which may carry one).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { answerParams, type ResolvedProfile } from './profile';

export interface CacheKeyParts {
  endpoint: string[];
  model: string;
  params: Record<string, unknown>;
  prompt: string;
  imageHashes: string[];
}

export interface CachedAnswer {
  v: 1;
  key: string;
  model: string;
  endpoint: string[];
  params: Record<string, unknown>;
  prompt: string;
  images: string[];
  /** The dataset item this was asked for, when known. */
  item?: { key: string; hash: string };
  answer: string;
  finishReason: string | null;
  ms: number;
  at: string;
}

/** Base URL without query or fragment (these may carry credentials). */
export function publicEndpoint(u: string): string {
  try {
    const url = new URL(u);
    return `${url.protocol}//${url.host}${url.pathname}`.replace(/\/+$/, '');
  } catch {
    return u.replace(/[?#].*$/, '');
  }
}

export function endpointIdentity(p: ResolvedProfile): string[] {
  return [...p.baseURLs].map(publicEndpoint).sort();
}

/** Stable hash of the parts (sha256 of canonical JSON, 32 hex digits). */
export function cacheKey(k: CacheKeyParts): string {
  const params = Object.fromEntries(Object.entries(k.params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const canonical = JSON.stringify([k.endpoint, k.model, params, k.prompt, k.imageHashes]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 32);
}

export function answersPath(curationFolder: string, profile: ResolvedProfile): string {
  return path.join(curationFolder, 'answers', `${profile.slug}.jsonl`);
}

export class AnswerCache {
  private readonly entries = new Map<string, CachedAnswer>();
  /** Lines that could not be read (a torn last line after a crash). */
  readonly skipped: number;

  private constructor(
    readonly file: string | undefined,
    entries: CachedAnswer[],
    skipped: number,
  ) {
    for (const e of entries) this.entries.set(e.key, e);
    this.skipped = skipped;
  }

  /** Opens (or starts) the cache file; `undefined` keeps answers in memory only. */
  static open(file: string | undefined): AnswerCache {
    if (!file) return new AnswerCache(undefined, [], 0);
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const entries: CachedAnswer[] = [];
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const e = JSON.parse(line) as CachedAnswer;
        if (e && typeof e.key === 'string' && typeof e.answer === 'string') entries.push(e);
        else skipped++;
      } catch {
        skipped++;
      }
    }
    return new AnswerCache(file, entries, skipped);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): CachedAnswer | undefined {
    return this.entries.get(key);
  }

  all(): CachedAnswer[] {
    return [...this.entries.values()];
  }

  /** Records an answer; appends one line to the file. */
  put(entry: CachedAnswer): void {
    this.entries.set(entry.key, entry);
    if (!this.file) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    fs.appendFileSync(this.file, JSON.stringify(entry) + '\n');
  }
}

/** The cache-key parts of a question for a profile. */
export function keyPartsFor(profile: ResolvedProfile, prompt: string, imageHashes: string[]): CacheKeyParts {
  return { endpoint: endpointIdentity(profile), model: profile.model, params: answerParams(profile), prompt, imageHashes };
}
