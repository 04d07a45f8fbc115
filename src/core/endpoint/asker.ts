/**
 * Asking about items: resolves and encodes the images, builds the interleaved message, answers from
 * the cache when the same question was asked before, otherwise asks the endpoint and records the
 * answer. Identical questions in flight at once are sent once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveImagePath } from '../imagePaths';
import type { Item } from '../item';
import { AnswerCache, cacheKey, endpointIdentity, keyPartsFor, type CacheHit, type CachedAnswer } from './answerCache';
import { EndpointClient, type AskOptions, type AskResult } from './client';
import { embeddedImageBytes, isEmbeddedRef } from '../parquet/embeddedImages';
import { contentHash, encodeImageBytes, ImageEncoder, type EncodedImage } from './imageEncoding';
import { buildContent, promptText, questionFor, type ContentPart } from './prompt';
import { answerParams, type ResolvedProfile } from './profile';

export interface Answer {
  text: string;
  cached: boolean;
  prompt: string;
  cacheKey: string;
  ms: number;
  attempts: number;
  finishReason: string | null;
}

export interface QuestionInput {
  question: string;
  /** Image paths relative to the image root, in order. */
  images: string[];
  item?: { key: string; hash: string };
}

export class ImageRefusedError extends Error {}

/** A question ready to send (see Asker.prepare). */
export interface PreparedQuestion {
  q: QuestionInput;
  images: EncodedImage[];
  prompt: string;
  /** The answers-cache key. */
  key: string;
  content: ContentPart[];
  hit?: CacheHit;
}

export class Asker {
  readonly encoder: ImageEncoder;
  private readonly pending = new Map<string, Promise<Answer>>();

  constructor(
    readonly profile: ResolvedProfile,
    readonly client: EndpointClient,
    readonly cache: AnswerCache,
    readonly imageRoot: string,
  ) {
    this.encoder = new ImageEncoder({ mode: profile.imagePreprocessing, size: profile.imageSize });
  }

  /** The question an item is asked, or an error message when it has none. */
  static questionInput(item: Item): QuestionInput {
    const question = questionFor(item);
    if (question === undefined) throw new Error(`item ${item.key} has no question to ask`);
    if (item.images.length === 0) throw new Error(`item ${item.key} has no image`);
    return { question, images: item.images, item: { key: item.key, hash: item.hash } };
  }

  async encodeImages(images: string[]): Promise<EncodedImage[]> {
    return Promise.all(
      images.map((p) => {
        if (isEmbeddedRef(p)) return encodeImageBytes(embeddedImageBytes(p), this.encoder.options);
        const r = resolveImagePath(p, this.imageRoot);
        if (!r.ok) throw new ImageRefusedError(r.reason);
        return this.encoder.encodeFile(r.abs);
      }),
    );
  }

  /** The cached answer to an item's question, without encoding images or asking anyone. */
  async cachedAnswer(item: Item): Promise<CacheHit | undefined> {
    const q = Asker.questionInput(item);
    const hashes = await Promise.all(
      q.images.map(async (p) => {
        if (isEmbeddedRef(p)) return contentHash(embeddedImageBytes(p));
        const r = resolveImagePath(p, this.imageRoot);
        if (!r.ok) throw new ImageRefusedError(r.reason);
        return contentHash(await fs.promises.readFile(r.abs));
      }),
    );
    return this.cache.get(cacheKey(keyPartsFor(this.profile, promptText(q.question, hashes.length), hashes)));
  }

  askItem(item: Item, opts: AskOptions = {}): Promise<Answer> {
    return this.ask(Asker.questionInput(item), opts);
  }

  /**
   * Everything about a question short of sending it: encoded images, the prompt, the cache key, the
   * content parts the endpoint receives, and the cached answer when there is one. Live asking and
   * batch files (batchAsk.ts) both start here, so they send the same request.
   */
  async prepare(q: QuestionInput): Promise<PreparedQuestion> {
    const images = await this.encodeImages(q.images);
    const prompt = promptText(q.question, images.length);
    const key = cacheKey(
      keyPartsFor(
        this.profile,
        prompt,
        images.map((i) => i.contentHash),
      ),
    );
    return {
      q,
      images,
      prompt,
      key,
      content: buildContent(
        q.question,
        images.map((i) => i.dataUri),
      ),
      hit: this.cache.get(key),
    };
  }

  /** Sends a prepared question; batch results stand in for the endpoint by overriding this. */
  protected send(p: PreparedQuestion, opts: AskOptions): Promise<AskResult> {
    return this.client.ask(p.content, opts);
  }

  async ask(q: QuestionInput, opts: AskOptions = {}): Promise<Answer> {
    const prep = await this.prepare(q);
    const { images, prompt, key, hit } = prep;
    if (hit) {
      opts.onDelta?.(hit.answer);
      return { text: hit.answer, cached: true, prompt, cacheKey: key, ms: 0, attempts: 0, finishReason: hit.finishReason ?? null };
    }
    const same = this.pending.get(key);
    if (same) {
      const a = await same;
      opts.onDelta?.(a.text);
      return { ...a, cached: true };
    }
    const p = (async (): Promise<Answer> => {
      const r = await this.send(prep, opts);
      const entry: CachedAnswer = {
        v: 1,
        key,
        model: this.profile.model,
        endpoint: endpointIdentity(this.profile),
        params: answerParams(this.profile),
        prompt,
        images: images.map((i) => i.contentHash),
        item: q.item,
        answer: r.text,
        finishReason: r.finishReason,
        ms: Math.round(r.ms),
        at: new Date().toISOString(),
      };
      this.cache.put(entry);
      return { text: r.text, cached: false, prompt, cacheKey: key, ms: r.ms, attempts: r.attempts, finishReason: r.finishReason };
    })();
    this.pending.set(key, p);
    try {
      return await p;
    } finally {
      this.pending.delete(key);
    }
  }
}

/** The image root to use for a dataset: the given one, else the dataset's folder. */
export function imageRootFor(datasetPath: string, given?: string): string {
  return path.resolve(given ?? path.dirname(path.resolve(datasetPath)));
}
