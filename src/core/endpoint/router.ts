/**
 * Which base URL serves a request. A profile with several base URLs (replicas of one model) goes
 * through the replica pool; a single URL needs no pool.
 */
import { ReplicaPool } from './replicaPool';

export interface RequestRouter {
  run<T>(fn: (baseURL: string, signal?: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T>;
}

export interface RouterOptions {
  timeoutMs?: number;
}

/** One base URL: every request goes there. */
export class SingleURLRouter implements RequestRouter {
  constructor(readonly baseURL: string) {}
  run<T>(fn: (baseURL: string, signal?: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return fn(this.baseURL, signal);
  }
}

/** One URL: direct. Several: the replica pool (least in flight, failover; health probed at /models). */
export function createRouter(baseURLs: string[], opts: RouterOptions = {}): RequestRouter {
  if (baseURLs.length === 1) return new SingleURLRouter(baseURLs[0]);
  return new ReplicaPool(baseURLs, { healthPath: '/models', healthTimeoutMs: Math.min(5000, opts.timeoutMs ?? 5000) });
}
