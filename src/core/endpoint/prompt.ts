/**
 * The item as one user message (ARCHITECTURE.md, "Endpoint"): content parts interleave ordinal text and images in
 * order — "The first image:", image, "The second image:", image, …, then the question
 * ("The image:" for a single image).
 */
import type { Item } from '../item';
import { ordinalPrefix } from '../ordinals';

export type ContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };
/** A user message's content: plain text (the builder's text-only merges) or interleaved parts. */
export type MessageContent = string | ContentPart[];

export const MCQ_INSTRUCTION = "Answer with the option's letter from the given choices directly.";
/** Option letters, in order (at most ten options). */
export const OPTION_LETTERS = 'ABCDEFGHIJ';

/** The Q-Bench / Co-Instruct MCQ prompt: the question, "A. …" lines, then the instruction. */
export function mcqQuestion(question: string, candidates: string[]): string {
  return [question.trim(), ...candidates.map((c, i) => `${OPTION_LETTERS[i]}. ${c}`), MCQ_INSTRUCTION].join('\n');
}

/** Whether the question already lists the options as "A. …" lines. */
function hasInlineOptions(question: string): boolean {
  return /^\s*\(?A[.)]\s+/m.test(question) && /^\s*\(?B[.)]\s+/m.test(question);
}

/**
 * The question to ask about an item: its own question; for multiple-choice records whose question
 * does not list the options, the MCQ prompt built from the candidates.
 */
export function questionFor(item: Item): string | undefined {
  const q = item.question;
  if (q === undefined || q.trim() === '') return undefined;
  if (item.candidates && item.candidates.length >= 2 && !hasInlineOptions(q)) return mcqQuestion(q, item.candidates);
  return q;
}

/** Content parts for `n` image URLs and a question. */
export function buildContent(question: string, imageUrls: string[]): ContentPart[] {
  const parts: ContentPart[] = [];
  imageUrls.forEach((url, i) => {
    parts.push({ type: 'text', text: ordinalPrefix(i, imageUrls.length) });
    parts.push({ type: 'image_url', image_url: { url } });
  });
  parts.push({ type: 'text', text: question });
  return parts;
}

/**
 * The prompt as text with an image marker per image (Co-Instruct's own layout):
 * "The first image: <|image|>\nThe second image: <|image|>{question}". Part of the cache key.
 */
export function promptText(question: string, imageCount: number): string {
  let s = '';
  for (let i = 0; i < imageCount; i++) s += `${i > 0 ? '\n' : ''}${ordinalPrefix(i, imageCount)} <|image|>`;
  return s + question;
}
