/**
 * Merge2Compare: the paper's templates for merging single-image descriptions into a comparison with a
 * text-only LLM, and the Co-Instruct (LLaVA) record that carries the result with its provenance.
 */
import { ordinalPrefix } from '../ordinals';

export const PAIR_QUESTION = 'Which image has better quality, and why?';
export const GROUP_QUESTION = 'Please rank the quality of the images and justify your rankings.';

/** The question asked of a group of n images. */
export function comparisonQuestion(n: number): string {
  return n === 2 ? PAIR_QUESTION : GROUP_QUESTION;
}

/** "The first image: <desc0> The second image: <desc1> Which image has better quality, and why?" */
export function mergePrompt(descriptions: string[]): string {
  const n = descriptions.length;
  const parts = descriptions.map((d, i) => `${ordinalPrefix(i, n)} ${d.trim()}`);
  return `${parts.join(' ')} ${comparisonQuestion(n)}`;
}

/** The human turn of a comparison record: ordinal prefixes, one <image> per image, then the question. */
export function humanTurn(n: number, question: string): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) lines.push(`${ordinalPrefix(i, n)} <image>`);
  lines.push(question);
  return lines.join('\n');
}

export interface LlavaRecord {
  id: string;
  image: string[];
  conversations: { from: 'human' | 'gpt'; value: string }[];
  subset?: string;
  [extra: string]: unknown;
}

export interface MergedProvenance {
  /** The single-image descriptions that were merged, in image order. */
  source_descriptions: string[];
  /** The LLM that merged them. */
  merge_model: string;
  /** Highest cosine similarity between two of the descriptions. */
  max_similarity: number;
  similarity_threshold: number;
  embedder: string;
}

/** A LLaVA record asking the paper's comparison question over `images`, answered by `answer`. */
export function comparisonRecord(id: string, images: string[], answer: string, subset: string): LlavaRecord {
  return {
    id,
    image: images,
    conversations: [
      { from: 'human', value: humanTurn(images.length, comparisonQuestion(images.length)) },
      { from: 'gpt', value: answer.trim() },
    ],
    subset,
  };
}

export function mergedRecord(id: string, images: string[], answer: string, subset: string, prov: MergedProvenance): LlavaRecord {
  return {
    ...comparisonRecord(id, images, answer, subset),
    source_descriptions: prov.source_descriptions,
    merge_model: prov.merge_model,
    max_similarity: Math.round(prov.max_similarity * 1e6) / 1e6,
    similarity_threshold: prov.similarity_threshold,
    embedder: prov.embedder,
  };
}
