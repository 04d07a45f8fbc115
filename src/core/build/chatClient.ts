/**
 * Chat Completions over an OpenAI-compatible endpoint (the `openai` package), with every finished
 * call cached by endpoint, model, parameters and messages.
 */
import OpenAI from 'openai';
import { apiBase } from '../embeddings/openaiEmbedder';
import { callKey, CallCache } from './callCache';
import type { ChatBatch } from './chatBatch';

export type ContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string | ContentPart[];
}

export interface ChatOptions {
  baseURL: string;
  model: string;
  apiKey?: string;
  temperature?: number;
  maxTokens?: number;
  timeoutMs?: number;
  maxRetries?: number;
  /** Answer from batch output and write misses to batch files instead of calling the endpoint (chatBatch.ts). */
  batch?: ChatBatch;
}

export interface ChatResult {
  text: string;
  cached: boolean;
}

export class CachedChat {
  private readonly client: OpenAI;
  readonly base: string;

  constructor(
    readonly opts: ChatOptions,
    private readonly cache: CallCache,
  ) {
    this.base = apiBase(opts.baseURL);
    this.client = new OpenAI({
      baseURL: this.base,
      apiKey: opts.apiKey ?? process.env.COCURATE_API_KEY ?? process.env.OPENAI_API_KEY ?? 'none',
      timeout: opts.timeoutMs ?? 300_000,
      maxRetries: opts.maxRetries ?? 4,
    });
  }

  /** The cache key of a call; `keyParts` stands in for large content (image bytes → their hashes). */
  keyOf(messages: ChatMessage[] | unknown): string {
    return callKey({ base: this.base, model: this.opts.model, temperature: this.opts.temperature ?? null, maxTokens: this.opts.maxTokens ?? null, messages });
  }

  cachedText(key: string): string | undefined {
    return this.cache.get(key);
  }

  /** The Chat Completions body of a call: sent live, or written as a batch request line. */
  requestBody(messages: ChatMessage[]): OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming {
    return {
      model: this.opts.model,
      messages: messages as OpenAI.Chat.Completions.ChatCompletionMessageParam[],
      ...(this.opts.temperature !== undefined ? { temperature: this.opts.temperature } : {}),
      ...(this.opts.maxTokens !== undefined ? { max_tokens: this.opts.maxTokens } : {}),
    };
  }

  /**
   * Sends the messages unless an identical call is cached. `keyParts` overrides what the key hashes.
   * `check` may reject an answer (throw): a rejected answer is not cached, so a rerun asks again.
   */
  async complete(messages: ChatMessage[], signal?: AbortSignal, keyParts?: unknown, check?: (text: string) => void): Promise<ChatResult> {
    const key = this.keyOf(keyParts ?? messages);
    const hit = this.cache.get(key);
    if (hit !== undefined) return { text: hit, cached: true };
    const batch = this.opts.batch;
    if (batch) {
      const text = batch.answer(key);
      if (text === undefined) batch.defer(key, this.requestBody(messages));
      else {
        check?.(text);
        this.cache.put(key, text);
        return { text, cached: false };
      }
    }
    // A per-call signal: the SDK adds a listener to the signal it is given, so a long run sharing one
    // signal across thousands of calls would pile listeners up on it.
    const call = new AbortController();
    const onAbort = (): void => call.abort(signal?.reason);
    signal?.throwIfAborted();
    signal?.addEventListener('abort', onAbort, { once: true });
    let res: OpenAI.Chat.Completions.ChatCompletion;
    try {
      res = await this.client.chat.completions.create(this.requestBody(messages), { signal: call.signal });
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    const text = res.choices?.[0]?.message?.content;
    if (typeof text !== 'string' || text.trim() === '') throw new Error(`the model ${this.opts.model} returned an empty answer`);
    check?.(text);
    this.cache.put(key, text);
    return { text, cached: false };
  }
}
