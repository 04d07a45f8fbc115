/** One interface over text-embedding back ends (local transformers.js model, OpenAI-compatible endpoint). */

export interface Embedder {
  /** Stable identity of the model and its settings; names the embeddings cache. */
  readonly id: string;
  /** Unit-length (L2-normalised) vectors, one per text, in order. */
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
  /** Texts per call that suit this back end. */
  readonly batchSize: number;
  dispose?(): Promise<void> | void;
}

/** Scales a vector to unit length in place (a zero vector stays zero). */
export function normalizeInPlace(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  n = Math.sqrt(n);
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}
