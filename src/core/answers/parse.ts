/**
 * Reading a choice out of free text (labels and model answers alike): the image judged best
 * ("The second image has better quality", "Image 2", "the latter", "the third one is the clearest"),
 * a ranking ("first > third > second"), an MCQ letter or option text ("B", "(B)", "B.", "The answer
 * is B"), yes / no — and an honest `unparsed` when the text does not say clearly.
 */

export type ParsedAnswer =
  | { kind: 'choice'; image: number }
  | { kind: 'tie' }
  | { kind: 'ranking'; order: number[] }
  | { kind: 'option'; index: number }
  | { kind: 'yesno'; value: boolean }
  | { kind: 'unparsed'; reason: string };

export interface AnswerContext {
  /** Number of images the question is about. */
  imageCount: number;
  /** MCQ options, when the question has them. */
  candidates?: string[];
  question?: string;
}

const LETTERS = 'ABCDEFGHIJ';
const ORD: Record<string, number> = { first: 0, second: 1, third: 2, fourth: 3, '1st': 0, '2nd': 1, '3rd': 2, '4th': 3 };
const NOUN = '(?:image|one|picture|photo|photograph|img|pic)';

interface Ref {
  image: number;
  start: number;
  end: number;
}

/** Mentions of particular images, in order of appearance. */
export function findImageRefs(text: string, imageCount: number): Ref[] {
  const refs: Ref[] = [];
  const add = (image: number, m: RegExpMatchArray) => {
    if (image < 0 || image >= imageCount) return;
    const start = m.index ?? 0;
    if (refs.some((r) => start < r.end && r.start < start + m[0].length)) return;
    refs.push({ image, start, end: start + m[0].length });
  };
  for (const m of text.matchAll(new RegExp(`\\b(?:the\\s+)?(first|second|third|fourth|1st|2nd|3rd|4th)\\s+${NOUN}s?\\b`, 'gi')))
    add(ORD[m[1].toLowerCase()], m);
  for (const m of text.matchAll(/\b(?:image|picture|photo|img|pic)\s*(?:#|no\.?\s*|number\s+)?([1-9])\b/gi)) add(Number(m[1]) - 1, m);
  for (const m of text.matchAll(/\b[Ii]mage\s+([A-D])\b/g)) add('ABCD'.indexOf(m[1]), m);
  for (const m of text.matchAll(/\bthe\s+(first|second|third|fourth)\b(?!\s+(?:glance|place|time|sight|look))/gi)) add(ORD[m[1].toLowerCase()], m);
  if (imageCount === 2) {
    for (const m of text.matchAll(/\bthe\s+(former|latter)\b/gi)) add(m[1].toLowerCase() === 'former' ? 0 : 1, m);
    for (const m of text.matchAll(new RegExp(`\\b(?:the\\s+)?(left|right)(?:-hand)?\\s+(?:side\\s+)?${NOUN}\\b`, 'gi')))
      add(m[1].toLowerCase() === 'left' ? 0 : 1, m);
  }
  return refs.sort((a, b) => a.start - b.start);
}

const POSITIVE =
  /\b(better|best|higher|highest|superior|clearer|clearest|sharper|sharpest|preferred|preferable|finer|finest|crisper|crispest|more\s+(?:clear|detailed|vivid|appealing|pleasing|natural|focused|in\s+focus)|less\s+(?:blurry|blurred|noisy|distorted|noise|blur))\b/gi;
const NEGATIVE =
  /\b(worse|worst|lower|lowest|poorer|poorest|inferior|blurrier|blurriest|noisier|noisiest|more\s+(?:blurry|blurred|noisy|distorted|pixelated|degraded|compressed|noise|blur)|less\s+(?:clear|sharp|detailed|vivid|appealing|focused))\b/gi;
const DECISIVE = /\b(quality|overall|better|best|worse|worst|superior|inferior|preferred|preferable)\b/i;
const NEGATION = /\b(not|no|never|neither|nor)\b|n't\b/i;

function count(re: RegExp, s: string): number {
  return [...s.matchAll(re)].length;
}

/** Splits text into clauses where a judgement may change subject. */
function clauses(text: string): string[] {
  return text
    .split(/(?<!\b(?:no|No|vs|etc))[.!?;\n]+(?=\s|$)|,\s*(?=(?:so|thus|therefore|hence|while|whereas|but|and)\b)|\b(?:while|whereas|but|because|since)\b/)
    .map((s) => s?.trim())
    .filter((s): s is string => !!s);
}

/** Refs that are the object of a comparison ("than the first image", "compared with image 1"). */
function isObject(clause: string, r: Ref): boolean {
  const before = clause.slice(Math.max(0, r.start - 40), r.start).toLowerCase();
  return /\b(than|as|to|with|against|versus|vs\.?|over)\s*(the\s+)?$/.test(before) || /\b(compared|comparison|relative)\b[^,]*$/.test(before);
}

/** The image judged best (0-based), a tie, or unparsed. */
export function parseChoice(text: string, imageCount: number): ParsedAnswer {
  const t = text.trim();
  if (imageCount < 2) return { kind: 'unparsed', reason: 'a choice needs two or more images' };
  const bare = /^\W*(?:the\s+)?(first|second|third|fourth|1st|2nd|3rd|4th|[1-9])(?:\s+(?:image|one|picture))?\W*$/i.exec(t);
  if (bare) {
    const i = /^[1-9]$/.test(bare[1]) ? Number(bare[1]) - 1 : ORD[bare[1].toLowerCase()];
    if (i < imageCount) return { kind: 'choice', image: i };
  }
  if (t.split(/\s+/).length <= 4) {
    const only = [...new Set(findImageRefs(t, imageCount).map((r) => r.image))];
    if (only.length === 1 && count(NEGATIVE, t) === 0) return { kind: 'choice', image: only[0] };
  }
  const decisive = new Map<number, number>();
  const aspect = new Map<number, number>();
  for (const c of clauses(t)) {
    const refs = findImageRefs(c, imageCount);
    if (refs.length === 0) continue;
    const subjects = [...new Set(refs.filter((r) => !isObject(c, r)).map((r) => r.image))];
    const objects = [...new Set(refs.filter((r) => isObject(c, r)).map((r) => r.image))];
    if (subjects.length !== 1) continue;
    let polarity = Math.sign(count(POSITIVE, c) - count(NEGATIVE, c));
    if (polarity === 0) continue;
    if (NEGATION.test(c)) polarity = -polarity;
    const s = subjects[0];
    let winner: number | undefined;
    if (polarity > 0) winner = s;
    else if (imageCount === 2) winner = 1 - s;
    else if (objects.length === 1 && objects[0] !== s) winner = undefined; // "X is worse than Y" says little about the best of 3+
    if (winner === undefined) continue;
    const m = DECISIVE.test(c) ? decisive : aspect;
    m.set(winner, (m.get(winner) ?? 0) + 1);
  }
  const votes = decisive.size > 0 ? decisive : aspect;
  if (votes.size === 0) {
    if (/\b(similar|same|equal|equally|comparable|identical|neither|indistinguishable)\b/i.test(t) && /\b(quality|good|clear|sharp)\b/i.test(t))
      return { kind: 'tie' };
    return { kind: 'unparsed', reason: 'no image is named as better or worse' };
  }
  const ranked = [...votes.entries()].sort((a, b) => b[1] - a[1]);
  if (ranked.length > 1 && ranked[0][1] === ranked[1][1]) return { kind: 'unparsed', reason: 'the text favours different images' };
  if (ranked.length > 1 && ranked[1][1] > 0 && ranked[0][1] < 2 * ranked[1][1]) return { kind: 'unparsed', reason: 'the text favours different images' };
  return { kind: 'choice', image: ranked[0][0] };
}

/** A full ranking, best first (0-based images), from "first > third > second" or a listed order. */
export function parseRanking(text: string, imageCount: number): number[] | undefined {
  if (imageCount < 2) return undefined;
  const complete = (order: number[]): number[] | undefined => {
    const seen = [...new Set(order)];
    if (seen.length !== order.length) return undefined;
    if (seen.length === imageCount - 1) {
      for (let i = 0; i < imageCount; i++) if (!seen.includes(i)) seen.push(i);
    }
    return seen.length === imageCount ? seen : undefined;
  };
  const line = text.split('\n').find((l) => /[<>]/.test(l) && l.split(/[<>]/).length >= Math.max(2, imageCount - 1) + 0);
  if (line) {
    const desc = line.includes('>');
    if (!(desc && line.includes('<'))) {
      const parts = line.split(desc ? '>' : '<');
      const order: number[] = [];
      for (const p of parts) {
        const refs = findImageRefs(p, imageCount);
        const bare = /^\W*(first|second|third|fourth|[1-9])\W*$/i.exec(p.trim());
        // The first piece ends with an image ("Ranking: the third image"); later ones start with one.
        if (refs.length >= 1) order.push(order.length === 0 ? refs[refs.length - 1].image : refs[0].image);
        else if (bare) order.push(/^[1-9]$/.test(bare[1]) ? Number(bare[1]) - 1 : ORD[bare[1].toLowerCase()]);
        else return undefined;
      }
      const o = complete(desc ? order : order.reverse());
      if (o) return o;
    }
  }
  const m = /\b(rank(?:ing|ed)?|order(?:ed)?)\b[^:\n]*?(from\s+(best|highest|worst|lowest)[^:\n]*?)?[:\n]([^]*)/i.exec(text);
  if (m) {
    const worstFirst = /worst|lowest/i.test(m[3] ?? '');
    const listed = m[4].split(/[.;!?](?:\s|$)/)[0];
    const refs = findImageRefs(listed, imageCount).map((r) => r.image);
    const o = complete(worstFirst ? refs.reverse() : refs);
    if (o && imageCount >= 3) return o;
  }
  return undefined;
}

const norm = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();

/** The option an answer names (0-based), by letter or by the option's text. */
export function parseOption(text: string, candidates: string[]): number | undefined {
  const t = text.trim();
  const valid = (l: string) => {
    const i = LETTERS.indexOf(l);
    return i >= 0 && i < candidates.length ? i : undefined;
  };
  const lead = /^\(?([A-J])(?:\)|\.|:|,|\s*$)/.exec(t);
  if (lead) {
    const i = valid(lead[1]);
    if (i !== undefined) return i;
  }
  const leadWord = /^([A-J])\s+(.+)$/s.exec(t);
  if (leadWord) {
    const i = valid(leadWord[1]);
    if (i !== undefined && norm(leadWord[2]).startsWith(norm(candidates[i]))) return i;
  }
  for (const m of t.matchAll(/\b(?:answer|option|choice)\b(?:\s+(?:is|would\s+be|should\s+be))?\s*[:：]?\s*\(?([A-Za-z])\)?(?![A-Za-z])/gi)) {
    if (m[1] === m[1].toUpperCase()) {
      const i = valid(m[1]);
      if (i !== undefined) return i;
    }
  }
  const nt = norm(t);
  const exact = candidates.findIndex((c) => norm(c) === nt);
  if (exact >= 0) return exact;
  const hits = candidates
    .map((c, i) => ({ i, c: norm(c) }))
    .filter(({ c }) => c && new RegExp(`(^| )${c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( |$)`).test(nt));
  const maximal = hits.filter((h) => !hits.some((o) => o !== h && o.c.includes(h.c) && o.c !== h.c));
  if (maximal.length === 1) return maximal[0].i;
  const paren = /^\(([A-J])\)/.exec(t) ?? /\(([A-J])\)/.exec(t);
  if (paren) return valid(paren[1]);
  return undefined;
}

export function parseYesNo(text: string): boolean | undefined {
  const m = /^\W*(yes|no)\b/i.exec(text) ?? /\b(?:answer|answer is)\s*[:：]?\s*(yes|no)\b/i.exec(text);
  return m ? m[1].toLowerCase() === 'yes' : undefined;
}

const YES_NO_QUESTION = /^\s*(?:(?:the\s+)?(?:first|second|third|fourth)\s+image:\s*)?(is|are|does|do|did|can|could|has|have|was|were|will|would|should)\b/i;

/** Parses an answer (or a label) in the context of its question. */
export function parseAnswer(text: string | undefined, ctx: AnswerContext): ParsedAnswer {
  if (text === undefined || text.trim() === '') return { kind: 'unparsed', reason: 'empty' };
  if (ctx.candidates && ctx.candidates.length >= 2) {
    const i = parseOption(text, ctx.candidates);
    return i === undefined ? { kind: 'unparsed', reason: 'no option letter or option text found' } : { kind: 'option', index: i };
  }
  const question = ctx.question ?? '';
  if (YES_NO_QUESTION.test(question) || (!question && /^\W*(yes|no)\W*$/i.test(text))) {
    const v = parseYesNo(text);
    if (v !== undefined) return { kind: 'yesno', value: v };
    if (YES_NO_QUESTION.test(question) && ctx.imageCount < 2) return { kind: 'unparsed', reason: 'no yes or no found' };
  }
  if (ctx.imageCount >= 2) {
    const wantsRanking = /\b(rank|ranking|order)\b/i.test(question);
    const order = parseRanking(text, ctx.imageCount);
    if (order && (wantsRanking || ctx.imageCount >= 3)) return { kind: 'ranking', order };
    const c = parseChoice(text, ctx.imageCount);
    if (c.kind === 'unparsed' && order) return { kind: 'ranking', order };
    return c;
  }
  return { kind: 'unparsed', reason: 'a free-form answer about one image' };
}

/** Short human form: "second image", "B", "yes", "first > third > second", "tie". */
export function describeParsed(p: ParsedAnswer, candidates?: string[]): string {
  const ord = (i: number) => ['first', 'second', 'third', 'fourth'][i] ?? `#${i + 1}`;
  switch (p.kind) {
    case 'choice':
      return `${ord(p.image)} image`;
    case 'tie':
      return 'tie';
    case 'ranking':
      return p.order.map(ord).join(' > ');
    case 'option':
      return candidates?.[p.index] !== undefined ? `${LETTERS[p.index]}. ${candidates[p.index]}` : LETTERS[p.index];
    case 'yesno':
      return p.value ? 'yes' : 'no';
    default:
      return `unparsed (${p.reason})`;
  }
}
