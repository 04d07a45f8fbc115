/** Ordinal image prefixes ("The first image:") and image placeholders inside prompt text. */

export const ORDINAL_WORDS = ['first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth', 'tenth'];

/** "The first image:" … for position i (0-based) of n images; one image: "The image:". */
export function ordinalPrefix(i: number, n: number): string {
  if (n === 1) return 'The image:';
  const word = ORDINAL_WORDS[i] ?? `${i + 1}th`;
  return `The ${word} image:`;
}

export const PLACEHOLDER_RE = /<\|image\|>|<image>/g;

export interface PlaceholderCount {
  angle: number; // <image>
  pipe: number; // <|image|>
}

export function countPlaceholders(text: string): PlaceholderCount {
  let angle = 0,
    pipe = 0;
  for (const m of text.matchAll(PLACEHOLDER_RE)) {
    if (m[0] === '<image>') angle++;
    else pipe++;
  }
  return { angle, pipe };
}

export interface OrdinalMention {
  /** 1-based ordinal (first = 1); 0 for "The image:" / "The input image:". */
  ordinal: number;
  /** Character offset within the text. */
  offset: number;
  length: number;
  text: string;
}

const ORDINAL_RE = new RegExp(`\\bThe (${ORDINAL_WORDS.join('|')}|input) image\\s*:|\\bThe image\\s*:`, 'gi');

/** Ordinal prefixes in order of appearance. */
export function findOrdinalPrefixes(text: string): OrdinalMention[] {
  const out: OrdinalMention[] = [];
  for (const m of text.matchAll(ORDINAL_RE)) {
    const word = (m[1] ?? '').toLowerCase();
    const ordinal = word === '' || word === 'input' ? 0 : ORDINAL_WORDS.indexOf(word) + 1;
    out.push({ ordinal, offset: m.index ?? 0, length: m[0].length, text: m[0] });
  }
  return out;
}

/**
 * Checks that ordinal prefixes count 1, 2, … n without gaps or repeats.
 * Returns a problem description, or undefined when they are in order (or absent).
 */
export function checkOrdinals(mentions: OrdinalMention[], imageCount: number): string | undefined {
  if (mentions.length === 0) return undefined;
  if (imageCount === 1) {
    if (mentions.length === 1 && mentions[0].ordinal <= 1) return undefined;
    return `${mentions.length} image prefixes for 1 image (${mentions.map((m) => `"${m.text}"`).join(', ')})`;
  }
  const got = mentions.map((m) => m.ordinal);
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== i + 1) {
      const expected = ordinalPrefix(i, imageCount);
      return `prefix ${i + 1} is "${mentions[i].text}" but should be "${expected}" (prefixes must count first, second, … in order)`;
    }
  }
  if (got.length !== imageCount) return `${got.length} ordinal prefixes for ${imageCount} images`;
  return undefined;
}

/** The text with placeholders and ordinal prefixes removed, whitespace tidied. */
export function stripImageMarkup(text: string): string {
  return text
    .replace(PLACEHOLDER_RE, ' ')
    .replace(ORDINAL_RE, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
}
