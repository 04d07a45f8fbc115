/**
 * The model calls of a build (ARCHITECTURE.md, "Endpoint"). They take the road every question takes:
 * the endpoint client (`endpoint/client.ts`: every base URL of the profile through the replica pool,
 * retries, timeouts, the key from the profile's source and never an implicit OPENAI_API_KEY), the
 * answers cache (`endpoint/answerCache.ts`, one file per endpoint and model under
 * `<curation folder>/build/`), and batch files when the run has them (`chatBatch.ts`).
 *
 * What differs from `ask` is the key: a build call's key hashes the endpoint, the model, the
 * parameters the user gave and the call's own parts (the merge message; or the image content hashes,
 * the preprocessing and the text), the recipe builds have always used — so call caches and batch
 * files written by earlier builds still answer.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { apiBase } from '../embeddings/openaiEmbedder';
import { embedderSlug } from '../embeddings/embeddingCache';
import { AnswerCache, endpointIdentity, hashKey } from '../endpoint/answerCache';
import { chatRequestBody, EndpointClient } from '../endpoint/client';
import { contentHash, ImageEncoder } from '../endpoint/imageEncoding';
import { answerParams, apiKeyFromEnv, PROFILE_DEFAULTS, resolveProfile, type EndpointProfile, type ResolvedProfile } from '../endpoint/profile';
import { buildContent, promptText, type MessageContent } from '../endpoint/prompt';
import type { ChatBatch } from './chatBatch';

/** A build's endpoint: a profile (one base URL or several replicas of one model) and how to reach it. */
export type BuildEndpoint = Pick<
  EndpointProfile,
  'baseURL' | 'model' | 'apiKeySource' | 'apiKeyEnv' | 'temperature' | 'maxTokens' | 'timeoutMs' | 'maxRetries'
> & {
  /** A key the caller found (VS Code SecretStorage); otherwise the profile's source is read (COCURATE_API_KEY by default). */
  apiKey?: string;
  /** Answer from batch output and write misses to batch files instead of calling the endpoint. */
  batch?: ChatBatch;
};

/** Builds leave temperature and max tokens to the server unless given, wait longer, and never stream (a batch line is the same request). */
const BUILD_DEFAULTS = { ...PROFILE_DEFAULTS, temperature: undefined, maxTokens: undefined, timeoutMs: 300_000, stream: false };

/** The resolved profile of a build's endpoint; a bare host gets "/v1", as it always has for builds. */
export function buildProfile(e: BuildEndpoint, imagePreprocessing?: ResolvedProfile['imagePreprocessing']): ResolvedProfile {
  const urls = (Array.isArray(e.baseURL) ? e.baseURL : e.baseURL.split(',')).map((u) => u.trim()).filter(Boolean);
  return resolveProfile({ ...e, name: e.model, baseURL: urls.map(apiBase), imagePreprocessing, stream: false }, BUILD_DEFAULTS);
}

/** One call: what is sent (made only on a cache miss), and what names it in the key and the cache line. */
export interface BuildCall {
  content: () => MessageContent | Promise<MessageContent>;
  /** What the key hashes for the call. */
  keyParts: unknown;
  /** The prompt as text, for the cache line. */
  prompt: string;
  /** Content hashes of the images sent, in order. */
  images: string[];
}

export interface CallResult {
  text: string;
  cached: boolean;
}

export class BuildCalls {
  readonly profile: ResolvedProfile;
  readonly client: EndpointClient;
  readonly cache: AnswerCache;
  readonly encoder: ImageEncoder;
  /** The endpoint as builds name it: its base URL, or the sorted replicas. Part of keys, cache file names and run settings. */
  readonly endpoint: string | string[];

  constructor(
    readonly opts: BuildEndpoint,
    curatorDir: string,
    imagePreprocessing?: ResolvedProfile['imagePreprocessing'],
  ) {
    this.profile = buildProfile(opts, imagePreprocessing);
    const ids = endpointIdentity(this.profile);
    this.endpoint = ids.length === 1 ? ids[0] : ids;
    this.client = new EndpointClient(this.profile, opts.apiKey ?? apiKeyFromEnv(this.profile));
    this.encoder = new ImageEncoder({ mode: this.profile.imagePreprocessing, size: this.profile.imageSize });
    this.cache = AnswerCache.open(path.join(curatorDir, 'build', `calls-${embedderSlug(`${ids.join(',')}:${this.profile.model}`)}.jsonl`));
  }

  /** A text-only call (Merge2Compare's merge); its key hashes the message. */
  textCall(prompt: string): BuildCall {
    return { content: () => prompt, keyParts: [{ role: 'user', content: prompt }], prompt, images: [] };
  }

  /**
   * A call about image files (Teach2Compare): "The first image:", image, …, then the text, images as
   * the profile prepares them. The key names the images by content hash, so a cached call encodes nothing.
   */
  async imagesCall(text: string, files: string[]): Promise<BuildCall> {
    const images = await Promise.all(files.map(async (f) => contentHash(await fs.promises.readFile(f))));
    const content = async () => {
      const encoded = await Promise.all(files.map((f) => this.encoder.encodeFile(f)));
      return buildContent(
        text,
        encoded.map((e) => e.dataUri),
      );
    };
    return { content, keyParts: { images, preprocessing: this.profile.imagePreprocessing, text }, prompt: promptText(text, files.length), images };
  }

  keyOf(keyParts: unknown): string {
    const p = this.profile;
    return hashKey({ base: this.endpoint, model: p.model, temperature: p.temperature ?? null, maxTokens: p.maxTokens ?? null, messages: keyParts });
  }

  /**
   * The answer to a call: from the cache, from batch output, or from the endpoint. `check` may reject
   * an answer (throw): a rejected answer is not cached, so a rerun asks again.
   */
  async complete(call: BuildCall, signal?: AbortSignal, check?: (text: string) => void): Promise<CallResult> {
    const key = this.keyOf(call.keyParts);
    const hit = this.cache.get(key);
    if (hit) return { text: hit.answer, cached: true };
    const batch = this.opts.batch;
    if (batch) {
      const r = batch.answer(key);
      if (!r) batch.defer(key, chatRequestBody(this.profile, await call.content()));
      else return { text: this.record(key, call, r.text, r.finishReason, 0, check), cached: false };
    }
    const r = await this.client.ask(await call.content(), { signal });
    if (r.text.trim() === '') throw new Error(`the model ${this.profile.model} returned an empty answer`);
    return { text: this.record(key, call, r.text, r.finishReason, r.ms, check), cached: false };
  }

  private record(key: string, call: BuildCall, text: string, finishReason: string | null, ms: number, check?: (text: string) => void): string {
    check?.(text);
    const p = this.profile;
    this.cache.put({
      v: 1,
      key,
      model: p.model,
      endpoint: endpointIdentity(p),
      params: call.images.length ? answerParams(p) : { temperature: p.temperature, maxTokens: p.maxTokens },
      prompt: call.prompt,
      images: call.images,
      answer: text,
      finishReason,
      ms: Math.round(ms),
      at: new Date().toISOString(),
    });
    return text;
  }
}
