/** Parses an embedder spec: "local:DIR", "url:URL" (model via `model`), "hub:MODEL_ID" (download once). */
import * as path from 'node:path';
import type { Embedder } from './embedder';
import { OpenAIEmbedder } from './openaiEmbedder';
import { TransformersEmbedder } from './transformersEmbedder';

/** The small model downloaded once when no embedder is named (needs network the first time). */
export const DEFAULT_HUB_MODEL = 'Xenova/all-MiniLM-L6-v2';

export interface EmbedderSpecOptions {
  /** Model name sent to an embeddings endpoint (url: specs). */
  model?: string;
  apiKey?: string;
  /** Where hub downloads are kept (e.g. .curator/models). */
  cacheDir: string;
  /** Weights of a transformers.js model: fp32 (onnx/model.onnx) or q8 (onnx/model_quantized.onnx). */
  dtype?: 'fp32' | 'q8';
}

export function embedderFromSpec(spec: string | undefined, opts: EmbedderSpecOptions): Embedder {
  const s = spec ?? `hub:${DEFAULT_HUB_MODEL}`;
  const colon = s.indexOf(':');
  const kind = colon > 0 ? s.slice(0, colon) : '';
  const rest = colon > 0 ? s.slice(colon + 1) : s;
  switch (kind) {
    case 'local':
      return new TransformersEmbedder({ folder: path.resolve(rest), dtype: opts.dtype });
    case 'hub':
      return new TransformersEmbedder({ hubModel: rest, cacheDir: opts.cacheDir, dtype: opts.dtype });
    case 'url':
      return new OpenAIEmbedder({ baseURL: rest, model: opts.model ?? 'intfloat/e5-mistral-7b-instruct', apiKey: opts.apiKey });
    default:
      throw new Error(`embedder "${s}" must be local:DIR, url:URL or hub:MODEL_ID`);
  }
}
