/**
 * The endpoint client (ARCHITECTURE.md, "Endpoint"): one chat completion per question through the `openai` package,
 * streamed, with retries and backoff on 429 / 5xx / dropped connections (honouring Retry-After), a
 * per-request timeout covering the whole streamed answer, and cancellation that stops at once.
 * Requests go through a router that spreads them over the profile's base URLs. The one client of
 * the product: `ask`, `eval-mcq`, the review views and the builders all send through it.
 */
import OpenAI from 'openai';
import type { MessageContent } from './prompt';
import type { ResolvedProfile } from './profile';
import { redactSecrets, StreamRedactor } from './redact';
import { createRouter, type RequestRouter } from './router';

export type EndpointErrorKind = 'http' | 'connection' | 'timeout' | 'malformed';

/** A failed request; `retryable` says whether trying again may help. Never carries the key. */
export class EndpointError extends Error {
  constructor(
    message: string,
    readonly kind: EndpointErrorKind,
    readonly retryable: boolean,
    readonly status?: number,
    /** Delay the server asked for (Retry-After), in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The caller cancelled. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
  }
}

export interface AskOptions {
  signal?: AbortSignal;
  /** Each streamed piece of the answer, in order. */
  onDelta?: (text: string) => void;
  /** Called before a retry: text streamed so far is void. */
  onRetry?: (attempt: number, error: EndpointError, waitMs: number) => void;
}

export interface AskResult {
  text: string;
  finishReason: string | null;
  /** 1 when the first try answered. */
  attempts: number;
  ms: number;
  baseURL: string;
}

export interface ClientOptions {
  /** First backoff delay (doubled per retry, with jitter); default 500 ms. */
  backoffBaseMs?: number;
  /** Longest backoff delay; default 8 s. */
  backoffMaxMs?: number;
  /** Longest Retry-After honoured; default 60 s. */
  retryAfterMaxMs?: number;
  /** Replaces the default router over the profile's base URLs. */
  router?: RequestRouter;
}

/** Delay from Retry-After / retry-after-ms headers, in ms, or undefined. */
export function retryAfterMs(headers: Headers | undefined | null, now = Date.now()): number | undefined {
  if (!headers || typeof headers.get !== 'function') return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms)) && Number(ms) >= 0) return Number(ms);
  const ra = headers.get('retry-after');
  if (ra === null || ra.trim() === '') return undefined;
  const secs = Number(ra);
  if (Number.isFinite(secs)) return secs >= 0 ? secs * 1000 : undefined;
  const at = Date.parse(ra);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** Sleeps, waking early (rejecting with CancelledError) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const onAbort = () => {
      clearTimeout(t);
      reject(new CancelledError());
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function describe(e: unknown): string {
  const m = (e as Error)?.message ?? String(e);
  return m.length > 300 ? m.slice(0, 300) + '…' : m;
}

/** What to do when the server refuses a request, by status (appended to the message). */
function refusalHint(status: number): string {
  if (status === 401 || status === 403)
    return ' — the endpoint refused the API key: set it (VS Code: "Curator: Set Endpoint API Key…"; CLI: the COCURATE_API_KEY environment variable) or check apiKeySource in the profile';
  if (status === 404) return " — check the profile's baseURL (usually ending in /v1) and that the server serves this model";
  if (status === 400 || status === 413 || status === 422)
    return " — the server rejected the request: check that the model accepts images and the profile's maxTokens / imageSize";
  return '';
}

/** The same error with the key, any Bearer credential and key-like URL parameters redacted. */
function redacted(e: Error, secrets: readonly (string | undefined)[]): Error {
  if (!(e instanceof EndpointError)) return e;
  const message = redactSecrets(e.message, secrets);
  return message === e.message ? e : new EndpointError(message, e.kind, e.retryable, e.status, e.retryAfterMs);
}

/** Maps whatever one attempt threw to an EndpointError (or CancelledError). */
function classify(e: unknown, cancelled: boolean, timedOut: boolean, timeoutMs: number, baseURL: string): Error {
  if (cancelled) return new CancelledError();
  if (timedOut) return new EndpointError(`${baseURL}: no complete answer within ${timeoutMs} ms`, 'timeout', true);
  if (e instanceof EndpointError || e instanceof CancelledError) return e;
  if (e instanceof OpenAI.APIConnectionTimeoutError) return new EndpointError(`${baseURL}: timed out`, 'timeout', true);
  if (e instanceof OpenAI.APIUserAbortError) return new EndpointError(`${baseURL}: request aborted`, 'connection', true);
  if (e instanceof OpenAI.APIConnectionError)
    return new EndpointError(
      `${baseURL}: connection failed (${describe(e.cause ?? e)}) — is the server running, and is baseURL right (it usually ends in /v1)?`,
      'connection',
      true,
    );
  if (e instanceof OpenAI.APIError && typeof e.status === 'number') {
    const s = e.status;
    const retryable = s === 429 || s === 408 || s === 409 || s >= 500;
    return new EndpointError(`${baseURL}: HTTP ${s} ${describe(e)}${refusalHint(s)}`, 'http', retryable, s, retryAfterMs(e.headers));
  }
  if (e instanceof SyntaxError || /JSON|parse/i.test(describe(e)))
    return new EndpointError(`${baseURL}: malformed response (${describe(e)})`, 'malformed', true);
  // Undici raises TypeError("terminated") / socket errors when a stream is cut mid-answer.
  return new EndpointError(`${baseURL}: ${describe(e)}`, 'connection', true);
}

/**
 * The Chat Completions body for one question (without `stream`): what the live client sends and
 * what a batch request line carries (src/core/endpoint/batchFiles.ts), built in this one place.
 * A parameter the profile leaves undefined is not sent (the server's default).
 */
export function chatRequestBody(p: Pick<ResolvedProfile, 'model' | 'temperature' | 'maxTokens'>, content: MessageContent) {
  return {
    model: p.model,
    messages: [{ role: 'user' as const, content }],
    ...(p.temperature !== undefined ? { temperature: p.temperature } : {}),
    ...(p.maxTokens !== undefined ? { max_tokens: p.maxTokens } : {}),
  };
}

export class EndpointClient {
  private readonly sdk = new Map<string, OpenAI>();
  readonly router: RequestRouter;

  constructor(
    readonly profile: ResolvedProfile,
    private readonly apiKey: string | undefined,
    private readonly opts: ClientOptions = {},
  ) {
    this.router = opts.router ?? createRouter(profile.baseURLs, { timeoutMs: profile.timeoutMs });
  }

  private openai(baseURL: string): OpenAI {
    let c = this.sdk.get(baseURL);
    if (!c) {
      // Servers without auth still get a placeholder so the SDK never falls back to OPENAI_API_KEY.
      c = new OpenAI({ baseURL, apiKey: this.apiKey ?? 'EMPTY', maxRetries: 0, timeout: this.profile.timeoutMs, logLevel: 'off' });
      this.sdk.set(baseURL, c);
    }
    return c;
  }

  /** Asks one question (a user message: content parts, or text); retries as the profile allows. */
  async ask(content: MessageContent, o: AskOptions = {}): Promise<AskResult> {
    const t0 = performance.now();
    const p = this.profile;
    for (let attempt = 0; ; attempt++) {
      if (o.signal?.aborted) throw new CancelledError();
      try {
        const r = await this.router.run((baseURL, signal) => this.once(baseURL, content, o, signal), o.signal);
        // A server that repeats the key in its answer does not get it into caches, files or screens.
        return { ...r, text: redactSecrets(r.text, [this.apiKey], { patterns: false }), attempts: attempt + 1, ms: performance.now() - t0 };
      } catch (e) {
        if (e instanceof CancelledError || o.signal?.aborted) throw new CancelledError();
        const err = redacted(e instanceof EndpointError ? e : classify(e, false, false, p.timeoutMs, p.baseURLs.join(',')), [this.apiKey]);
        if (!(err instanceof EndpointError) || !err.retryable || attempt >= p.maxRetries) throw err;
        const base = this.opts.backoffBaseMs ?? 500;
        const backoff = Math.min(this.opts.backoffMaxMs ?? 8000, base * 2 ** attempt) * (0.5 + Math.random() * 0.5);
        const wait = err.retryAfterMs !== undefined ? Math.min(err.retryAfterMs, this.opts.retryAfterMaxMs ?? 60_000) : backoff;
        o.onRetry?.(attempt + 1, err, wait);
        await sleep(wait, o.signal);
      }
    }
  }

  /** One attempt against one base URL. */
  private async once(baseURL: string, content: MessageContent, o: AskOptions, routerSignal?: AbortSignal): Promise<Omit<AskResult, 'attempts' | 'ms'>> {
    const p = this.profile;
    const ctrl = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort();
    }, p.timeoutMs);
    const onAbort = () => ctrl.abort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    routerSignal?.addEventListener('abort', onAbort, { once: true });
    if (o.signal?.aborted || routerSignal?.aborted) ctrl.abort();
    const body = chatRequestBody(p, content);
    try {
      if (p.stream) {
        const stream = await this.openai(baseURL).chat.completions.create({ ...body, stream: true }, { signal: ctrl.signal, maxRetries: 0 });
        let text = '';
        let finishReason: string | null = null;
        let chunks = 0;
        // A key the server repeats may arrive split across chunks: deltas pass a stream redactor.
        const shown = new StreamRedactor([this.apiKey]);
        const show = (t: string) => {
          if (t.length > 0) o.onDelta?.(t);
        };
        for await (const chunk of stream) {
          chunks++;
          const choice = chunk.choices?.[0];
          const delta = choice?.delta?.content;
          if (typeof delta === 'string' && delta.length > 0) {
            text += delta;
            show(shown.push(delta));
          }
          if (choice?.finish_reason) finishReason = choice.finish_reason;
        }
        if (ctrl.signal.aborted) throw new Error('aborted');
        show(shown.flush());
        if (chunks === 0) throw new EndpointError(`${baseURL}: the stream ended without any answer`, 'malformed', true);
        return { text, finishReason, baseURL };
      }
      // The body as chatRequestBody built it (no `stream` field): a batch line of this request is the same bytes.
      const r = await this.openai(baseURL).chat.completions.create(body, { signal: ctrl.signal, maxRetries: 0 });
      const msg = r?.choices?.[0]?.message?.content;
      if (typeof msg !== 'string') throw new EndpointError(`${baseURL}: the response holds no message text`, 'malformed', true);
      o.onDelta?.(redactSecrets(msg, [this.apiKey], { patterns: false }));
      return { text: msg, finishReason: r.choices[0].finish_reason ?? null, baseURL };
    } catch (e) {
      throw redacted(classify(e, o.signal?.aborted === true, timedOut, p.timeoutMs, baseURL), [this.apiKey]);
    } finally {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      routerSignal?.removeEventListener('abort', onAbort);
    }
  }
}
