/**
 * Endpoint profiles (ARCHITECTURE.md, "Endpoint"): where an OpenAI-compatible vision endpoint lives, which model to
 * ask and with which parameters. A profile never holds the API key itself — only where to find it.
 */

/** How images are prepared: padded to square with the CLIP mean colour and resized, or sent as is. */
export type ImagePreprocessing = 'square' | 'original';

/** Where the API key comes from: VS Code SecretStorage, an environment variable, or no key at all. */
export type ApiKeySource = 'secret' | 'env' | 'none';

export interface EndpointProfile {
  /** Profile name; names the answers cache `.curator/answers/<slug>.jsonl`. */
  name?: string;
  /** One base URL, or several replicas of the same model (requests are spread over them). */
  baseURL: string | string[];
  model: string;
  apiKeySource?: ApiKeySource;
  /** Environment variable holding the key when apiKeySource is "env" (default COCURATE_API_KEY). */
  apiKeyEnv?: string;
  temperature?: number;
  maxTokens?: number;
  /** Per-request timeout (whole request including the streamed answer). */
  timeoutMs?: number;
  /** Requests in flight at once in batches. */
  concurrency?: number;
  imagePreprocessing?: ImagePreprocessing;
  /** Side of the square images when preprocessing is "square". */
  imageSize?: number;
  /** Stream answers (server-sent events); off for servers that cannot stream. */
  stream?: boolean;
  /** Retries after 429 / 5xx / connection failures / timeouts. */
  maxRetries?: number;
}

/** A checked profile with every default filled in. */
export interface ResolvedProfile {
  name: string;
  slug: string;
  baseURLs: string[];
  model: string;
  apiKeySource: ApiKeySource;
  apiKeyEnv: string;
  /** undefined: not sent, the server's default (builds, unless given). */
  temperature: number | undefined;
  /** undefined: not sent, the server's default (builds, unless given). */
  maxTokens: number | undefined;
  timeoutMs: number;
  concurrency: number;
  imagePreprocessing: ImagePreprocessing;
  imageSize: number;
  stream: boolean;
  maxRetries: number;
}

export const DEFAULT_API_KEY_ENV = 'COCURATE_API_KEY';

/** Defaults a profile's missing fields take; builds use their own (src/core/build/buildCalls.ts). */
export type ProfileDefaults = Omit<ResolvedProfile, 'name' | 'slug' | 'baseURLs' | 'model' | 'apiKeySource' | 'apiKeyEnv'>;

export const PROFILE_DEFAULTS: ProfileDefaults = {
  temperature: 0,
  maxTokens: 512,
  timeoutMs: 120_000,
  concurrency: 4,
  imagePreprocessing: 'square' as ImagePreprocessing,
  imageSize: 448,
  stream: true,
  maxRetries: 4,
};

/** File-name-safe form of a name: letters, digits, ".", "_", "-". */
export function slugify(name: string): string {
  const s = name
    .trim()
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 80);
  return s || 'endpoint';
}

/** Normalises a base URL: http(s) only, no trailing slash. Throws with a clear message otherwise. */
export function normalizeBaseURL(u: string): string {
  let url: URL;
  try {
    url = new URL(u.trim());
  } catch {
    throw new Error(`endpoint "${u}" is not a URL (expected e.g. http://127.0.0.1:8000/v1)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`endpoint "${u}" must use http or https`);
  if (url.username || url.password) throw new Error(`endpoint "${url.host}" must not carry credentials in the URL; use the key setting`);
  return url.toString().replace(/\/+$/, '');
}

function positive<D extends number | undefined>(v: number | undefined, what: string, dflt: D, integer = true): number | D {
  if (v === undefined) return dflt;
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v)))
    throw new Error(`${what} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`);
  return v;
}

/** Checks a profile and fills defaults; errors name the field. */
export function resolveProfile(p: EndpointProfile, defaults: ProfileDefaults = PROFILE_DEFAULTS): ResolvedProfile {
  const urls = (Array.isArray(p.baseURL) ? p.baseURL : String(p.baseURL ?? '').split(',')).map((s) => s.trim()).filter(Boolean);
  if (urls.length === 0) throw new Error('endpoint profile needs a baseURL');
  const baseURLs = [...new Set(urls.map(normalizeBaseURL))];
  if (!p.model || typeof p.model !== 'string') throw new Error('endpoint profile needs a model name');
  const temperature = p.temperature ?? defaults.temperature;
  if (temperature !== undefined && (!Number.isFinite(temperature) || temperature < 0 || temperature > 2))
    throw new Error(`temperature must be in 0..2, got ${temperature}`);
  const pre = p.imagePreprocessing ?? defaults.imagePreprocessing;
  if (pre !== 'square' && pre !== 'original') throw new Error(`imagePreprocessing must be "square" or "original", got "${pre}"`);
  const src = p.apiKeySource ?? 'env';
  if (!['secret', 'env', 'none'].includes(src)) throw new Error(`apiKeySource must be secret, env or none, got "${src}"`);
  const maxRetries = p.maxRetries ?? defaults.maxRetries;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) throw new Error(`maxRetries must be an integer ≥ 0, got ${maxRetries}`);
  const name = p.name?.trim() || p.model;
  return {
    name,
    slug: slugify(name),
    baseURLs,
    model: p.model,
    apiKeySource: src,
    apiKeyEnv: p.apiKeyEnv || DEFAULT_API_KEY_ENV,
    temperature,
    maxTokens: positive(p.maxTokens, 'maxTokens', defaults.maxTokens),
    timeoutMs: positive(p.timeoutMs, 'timeoutMs', defaults.timeoutMs),
    concurrency: positive(p.concurrency, 'concurrency', defaults.concurrency),
    imagePreprocessing: pre,
    imageSize: positive(p.imageSize, 'imageSize', defaults.imageSize),
    stream: p.stream ?? defaults.stream,
    maxRetries,
  };
}

/** The key in an environment variable (trimmed; empty is none). No other variable is read: never OPENAI_API_KEY implicitly. */
export function envApiKey(name: string = DEFAULT_API_KEY_ENV, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const v = env[name];
  return v && v.trim() ? v.trim() : undefined;
}

/** The key from the environment when the profile says so (the extension reads SecretStorage itself). */
export function apiKeyFromEnv(p: ResolvedProfile, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return p.apiKeySource === 'none' ? undefined : envApiKey(p.apiKeyEnv, env);
}

/** The parameters that change an answer (part of the cache key). */
export function answerParams(p: ResolvedProfile): Record<string, unknown> {
  return {
    temperature: p.temperature,
    maxTokens: p.maxTokens,
    images: p.imagePreprocessing === 'square' ? `square${p.imageSize}` : 'original',
  };
}
