/**
 * The one cache of model answers (ARCHITECTURE.md, "Endpoint"): `ask`, `eval-mcq` and the review views
 * keep theirs in `.curator/answers/<profile>.jsonl`, the builders theirs in
 * `.curator/build/calls-<endpoint>.jsonl`; same class, same lines. One line per answer, keyed by a hash
 * of endpoint, model, parameters, prompt and image content hashes, so a rerun sends nothing already
 * answered. A line is appended whole and fsynced; a torn last line (a crash mid-write) is skipped and
 * the next answer starts on a line of its own. Lines builds wrote before the caches merged, `{k, v}`,
 * are read as a key and an answer. Never holds the API key (nor URL query strings, which may carry one).
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

/** One line of a cache file. */
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

/** What a lookup finds: a whole line, or only the key and the answer (a `{k, v}` line of an older build cache). */
export type CacheHit = Pick<CachedAnswer, 'key' | 'answer'> & Partial<CachedAnswer>;

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

/** Stable hash of a JSON value: sha256, 32 hex digits. Every cache key is one. */
export function hashKey(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
}

/** The key of a question (ask, eval-mcq, review views): the parts with the parameters in name order. */
export function cacheKey(k: CacheKeyParts): string {
  const params = Object.fromEntries(Object.entries(k.params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return hashKey([k.endpoint, k.model, params, k.prompt, k.imageHashes]);
}

export function answersPath(curationFolder: string, profile: ResolvedProfile): string {
  return path.join(curationFolder, 'answers', `${profile.slug}.jsonl`);
}

/** A cache line as read: a whole answer line, or an older build cache's `{k, v}`; undefined for anything else. */
function parseLine(line: string): CacheHit | undefined {
  const e = JSON.parse(line) as Partial<CachedAnswer> & { k?: unknown; v?: unknown };
  if (e && typeof e.key === 'string' && typeof e.answer === 'string') return e as CacheHit;
  if (e && typeof e.k === 'string' && typeof e.v === 'string') return { key: e.k, answer: e.v };
  return undefined;
}

export class AnswerCache {
  private readonly entries = new Map<string, CacheHit>();
  /** Lines that could not be read (a torn last line after a crash). */
  readonly skipped: number;
  /** The file ends mid-line (torn): the next line written starts with a newline. */
  private tornTail: boolean;

  private constructor(
    readonly file: string | undefined,
    text: string,
  ) {
    let skipped = 0;
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      let e: CacheHit | undefined;
      try {
        e = parseLine(line);
      } catch {
        e = undefined;
      }
      if (e) this.entries.set(e.key, e);
      else skipped++;
    }
    this.skipped = skipped;
    this.tornTail = text.length > 0 && !text.endsWith('\n');
  }

  /** Opens (or starts) the cache file; `undefined` keeps answers in memory only. */
  static open(file: string | undefined): AnswerCache {
    let text = '';
    if (file) {
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    return new AnswerCache(file, text);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): CacheHit | undefined {
    return this.entries.get(key);
  }

  /** Records an answer: one whole line appended and fsynced before it counts as cached. */
  put(entry: CachedAnswer): void {
    if (this.file) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const fd = fs.openSync(this.file, 'a');
      try {
        fs.writeSync(fd, (this.tornTail ? '\n' : '') + JSON.stringify(entry) + '\n');
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      this.tornTail = false;
    }
    this.entries.set(entry.key, entry);
  }
}

/** The cache-key parts of a question for a profile. */
export function keyPartsFor(profile: ResolvedProfile, prompt: string, imageHashes: string[]): CacheKeyParts {
  return { endpoint: endpointIdentity(profile), model: profile.model, params: answerParams(profile), prompt, imageHashes };
}
