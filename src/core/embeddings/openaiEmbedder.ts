/** Text embeddings from an OpenAI-compatible `/v1/embeddings` endpoint (e.g. e5-mistral-7b-instruct on vLLM). */
import OpenAI from 'openai';
import { normalizeInPlace, type Embedder } from './embedder';

export interface OpenAIEmbedderOptions {
  /** Base URL up to and including /v1 (a bare host gets /v1 appended). */
  baseURL: string;
  model: string;
  apiKey?: string;
  batchSize?: number;
  timeoutMs?: number;
  maxRetries?: number;
}

/** "http://host:8000" → "http://host:8000/v1"; URLs already ending in /v1 (or a longer path) are kept. */
export function apiBase(url: string): string {
  const u = url.replace(/\/+$/, '');
  return /\/v\d+$/.test(u) || /\/v\d+\//.test(u + '/') ? u : `${u}/v1`;
}

export class OpenAIEmbedder implements Embedder {
  readonly id: string;
  readonly batchSize: number;
  private readonly client: OpenAI;

  constructor(private readonly opts: OpenAIEmbedderOptions) {
    this.batchSize = opts.batchSize ?? 64;
    const base = apiBase(opts.baseURL);
    this.id = `openai:${base}:${opts.model}`;
    this.client = new OpenAI({
      baseURL: base,
      // The caller reads the key (COCURATE_API_KEY); a placeholder keeps the SDK from reading OPENAI_API_KEY.
      apiKey: opts.apiKey ?? 'EMPTY',
      timeout: opts.timeoutMs ?? 120_000,
      maxRetries: opts.maxRetries ?? 3,
    });
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const res = await this.client.embeddings.create({ model: this.opts.model, input: texts, encoding_format: 'float' }, { signal });
    if (!Array.isArray(res.data) || res.data.length !== texts.length) {
      throw new Error(`embeddings endpoint returned ${res.data?.length ?? 0} vectors for ${texts.length} texts`);
    }
    const out: Float32Array[] = new Array(texts.length);
    for (const d of res.data) {
      const v = d.embedding as unknown;
      if (!Array.isArray(v)) throw new Error('embeddings endpoint returned a non-float embedding');
      out[d.index] = normalizeInPlace(Float32Array.from(v as number[]));
    }
    return out;
  }
}
