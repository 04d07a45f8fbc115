/**
 * Several replicas of one model (one Co-Instruct per GPU, or a vLLM fleet) behind one endpoint
 * profile (ARCHITECTURE.md, "Endpoint"; issue 9).
 *
 * `run(fn)` hands `fn` the base URL of the healthy replica with the fewest requests in flight (ties
 * go round-robin). When `fn` fails like a replica failure — a network error, a timeout, or an error
 * whose `.status` is ≥ 500 or missing — that replica is set aside for `unhealthyForMs` and the same
 * request is tried on another replica; a 4xx (`.status` 400–499) is the request's own fault and is
 * rethrown at once. A request is retried only when `fn` threw, so nothing that was answered is asked
 * again. A replica whose time-out has passed rejoins after a health probe (GET `{base}{healthPath}`)
 * that gets any HTTP answer below 500; when no healthy replica is left, all untried ones are probed.
 */

export interface ReplicaPoolOptions {
  /** Probe path joined to each base URL (default "/health"; "/models" works on any OpenAI server). */
  healthPath?: string;
  /** How long a failed replica is left out before it is probed again (default 30 s). */
  unhealthyForMs?: number;
  /** Replicas tried per request (default: all of them, each at most once). */
  maxAttempts?: number;
  fetchImpl?: typeof fetch;
  /** Time allowed for one health probe (default 5 s). */
  healthTimeoutMs?: number;
}

interface Replica {
  url: string;
  inFlight: number;
  /** 0 = healthy; otherwise the time (ms since epoch) after which a probe may readmit it. */
  unhealthyUntil: number;
  /** Marked failed and not yet readmitted by a probe. */
  suspect: boolean;
  probe?: Promise<boolean>;
}

/** The HTTP status an error carries (`.status`, as the openai package's APIError has), if any. */
export function errorStatus(err: unknown): number | undefined {
  if (err && typeof err === 'object' && 'status' in err) {
    const s = (err as { status?: unknown }).status;
    if (typeof s === 'number' && Number.isFinite(s)) return s;
  }
  return undefined;
}

/** True when an error is the request's own fault (4xx): retrying it elsewhere would not help. */
export function isRequestError(err: unknown): boolean {
  const s = errorStatus(err);
  return s !== undefined && s >= 400 && s < 500;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? Object.assign(new Error('The operation was aborted'), { name: 'AbortError' });
}

export class ReplicaPool {
  private readonly replicas: Replica[];
  private readonly healthPath: string;
  private readonly unhealthyForMs: number;
  private readonly maxAttempts: number;
  private readonly healthTimeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private cursor = 0;

  constructor(baseURLs: string[], opts: ReplicaPoolOptions = {}) {
    const urls = [...new Set(baseURLs.map((u) => u.trim().replace(/\/+$/, '')).filter(Boolean))];
    if (urls.length === 0) throw new Error('ReplicaPool needs at least one base URL');
    this.replicas = urls.map((url) => ({ url, inFlight: 0, unhealthyUntil: 0, suspect: false }));
    this.healthPath = opts.healthPath ?? '/health';
    this.unhealthyForMs = Math.max(0, opts.unhealthyForMs ?? 30_000);
    this.maxAttempts = Math.max(1, Math.floor(opts.maxAttempts ?? urls.length));
    this.healthTimeoutMs = Math.max(1, opts.healthTimeoutMs ?? 5_000);
    this.fetchImpl = opts.fetchImpl ?? fetch;
  }

  /** Requests in flight per base URL. */
  inFlight(): Record<string, number> {
    return Object.fromEntries(this.replicas.map((r) => [r.url, r.inFlight]));
  }

  /** Base URLs currently in rotation. */
  healthy(): string[] {
    return this.replicas.filter((r) => !r.suspect).map((r) => r.url);
  }

  /** Probes every replica now (readmitting or setting aside each); returns the healthy base URLs. */
  async checkHealth(): Promise<string[]> {
    await Promise.all(this.replicas.map((r) => this.probe(r)));
    return this.healthy();
  }

  async run<T>(fn: (baseURL: string, signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const tried = new Set<Replica>();
    let lastError: unknown;
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      if (signal?.aborted) throw abortError(signal);
      const replica = await this.pick(tried, signal);
      if (!replica) break;
      tried.add(replica);
      const ctrl = new AbortController();
      const onAbort = () => ctrl.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      replica.inFlight++;
      try {
        return await fn(replica.url, ctrl.signal);
      } catch (err) {
        if (signal?.aborted) throw err; // the caller gave up: not the replica's fault
        if (isRequestError(err)) throw err;
        this.markUnhealthy(replica);
        lastError = err;
      } finally {
        replica.inFlight--;
        signal?.removeEventListener('abort', onAbort);
      }
    }
    if (lastError !== undefined) throw lastError;
    throw Object.assign(new Error(`no healthy replica among ${this.replicas.map((r) => r.url).join(', ')}`), { code: 'NO_HEALTHY_REPLICA' });
  }

  private markUnhealthy(r: Replica): void {
    r.suspect = true;
    r.unhealthyUntil = Date.now() + this.unhealthyForMs;
  }

  /** The untried healthy replica with the fewest requests in flight; else the first untried one a probe readmits. */
  private async pick(tried: Set<Replica>, signal?: AbortSignal): Promise<Replica | undefined> {
    const now = Date.now();
    for (const r of this.replicas) {
      // Replicas whose time-out has passed are probed in the background and rejoin when they answer.
      if (r.suspect && r.unhealthyUntil <= now && !r.probe) void this.probe(r);
    }
    const n = this.replicas.length;
    let best: Replica | undefined;
    for (let k = 0; k < n; k++) {
      const r = this.replicas[(this.cursor + k) % n];
      if (tried.has(r) || r.suspect) continue;
      if (!best || r.inFlight < best.inFlight) best = r;
    }
    if (best) {
      this.cursor = (this.replicas.indexOf(best) + 1) % n;
      return best;
    }
    const untried = this.replicas.filter((r) => !tried.has(r));
    if (untried.length === 0) return undefined;
    return this.firstToPass(untried, signal);
  }

  private firstToPass(candidates: Replica[], signal?: AbortSignal): Promise<Replica | undefined> {
    return new Promise((resolve, reject) => {
      let pending = candidates.length;
      let settled = false;
      const onAbort = () => {
        if (!settled) {
          settled = true;
          reject(abortError(signal as AbortSignal));
        }
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const finish = (r: Replica | undefined) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      for (const r of candidates) {
        void this.probe(r).then((ok) => {
          if (ok) finish(r);
          else if (--pending === 0) finish(undefined);
        });
      }
    });
  }

  /** One probe per replica at a time; true when it answered below 500 within the time limit. */
  private probe(r: Replica): Promise<boolean> {
    if (r.probe) return r.probe;
    const url = /^https?:\/\//i.test(this.healthPath) ? this.healthPath : r.url + (this.healthPath.startsWith('/') ? this.healthPath : `/${this.healthPath}`);
    const p = (async () => {
      try {
        const res = await this.fetchImpl(url, { method: 'GET', signal: AbortSignal.timeout(this.healthTimeoutMs) });
        await res.body?.cancel().catch(() => undefined);
        return res.status < 500;
      } catch {
        return false;
      }
    })().then((ok) => {
      if (ok) {
        r.suspect = false;
        r.unhealthyUntil = 0;
      } else {
        this.markUnhealthy(r);
      }
      r.probe = undefined;
      return ok;
    });
    r.probe = p;
    return p;
  }
}
