/**
 * Reads the checkable claims out of a quality label (ARCHITECTURE.md, "Image cues and label claims"): comparatives
 * ("the second image is blurrier than the first"), superlatives ("the sharpest"), absolute terms
 * ("overexposed", "out of focus"), rankings ("second > first > third", "… is the best, followed by …"),
 * negation ("is not as sharp as"), and images named by ordinal, letter ("Image A") or number
 * ("image 2"). Each claim names an attribute in the cue's own direction (see claimLexicon).
 */
import { findImageRefs } from '../answers/parse';
import { ASPECTS, NON_CUE_ASPECTS, TERMS, type Attribute } from './claimLexicon';

export type Relation = 'greater' | 'less' | 'most' | 'least' | 'high' | 'low' | 'ranking';

/**
 * One claim. `images` are 1-based ordinals. greater / less: images[0] has more / less of the
 * attribute than images[1] (a single image: than the other images of the item); most / least:
 * images[0] has the most / least of all; high / low: an absolute statement about images[0];
 * ranking: the images in descending order of the attribute.
 */
export interface Claim {
  text: string;
  attribute: Attribute;
  images: number[];
  relation: Relation;
  /** An absolute claim softened by "slight", "mild", "a bit", …: too weak for a threshold to refute. */
  hedged?: boolean;
}

interface Ref {
  image: number;
  start: number;
  end: number;
}

/** Image references: answers/parse's ordinals, numbers and letters, plus "the image on the right". */
function imageRefs(text: string, imageCount: number): Ref[] {
  const refs = findImageRefs(text, imageCount);
  if (imageCount === 2) {
    for (const m of text.matchAll(/\b(?:the\s+)?(?:image|picture|photo|one)\s+on\s+the\s+(left|right)\b/gi)) {
      const start = m.index ?? 0,
        end = start + m[0].length;
      for (let i = refs.length - 1; i >= 0; i--) if (refs[i].start < end && start < refs[i].end) refs.splice(i, 1);
      refs.push({ image: m[1].toLowerCase() === 'left' ? 0 : 1, start, end });
    }
  }
  return refs.sort((a, b) => a.start - b.start);
}
interface Match {
  start: number;
  end: number;
  attribute: Attribute;
  form: 'cmp' | 'sup' | 'abs' | 'eq';
  dir: 1 | -1;
  text: string;
}

const HEDGE = /\b(?:slight(?:ly)?|mild(?:ly)?|minor|a\s+bit|a\s+little|somewhat|some|faint(?:ly)?|subtle|barely|a\s+touch\s+of|partially|partly)\b/i;
const NEGATION = /\b(?:not|never|no\s+longer|hardly|neither|nor|cannot)\b|n't\b/i;
const ALL_IMAGES =
  /\b(?:both(?:\s+(?:of\s+)?(?:the\s+)?(?:images|pictures|photos|of\s+them))?|all\s+(?:of\s+)?(?:the\s+)?(?:(?:two|three|four)\s+)?(?:images|pictures|photos|of\s+them)|each\s+(?:image|picture|photo)|neither\s+(?:image|picture|photo|of\s+them))\b/i;
const OTHERS = /\b(?:the\s+)?(?:others|other\s+(?:two\s+|three\s+)?(?:images|ones|pictures|photos)|rest|remaining\s+(?:images|ones))\b/i;
const PRONOUN =
  /^(?:\W*(?:however|also|moreover|additionally|furthermore|overall|meanwhile|in\s+addition|on\s+the\s+other\s+hand|in\s+contrast|as\s+a\s+result|therefore|thus|so|and|but)\b,?)*\s*(?:it|its|this\s+(?:image|picture|photo|one)|the\s+(?:image|picture|photo)|they|their|which)\b/i;
const OBJECT_BEFORE = /\b(?:than|as|to|with|against|versus|vs\.?|over|and)\s+(?:that\s+of\s+|those\s+of\s+)?(?:the\s+)?$/i;

/** Claims in a label about `imageCount` images. */
export function parseClaims(label: string, imageCount: number): Claim[] {
  const out: Claim[] = [];
  const seen = new Set<string>();
  const push = (c: Claim) => {
    if (c.images.some((i) => i < 1 || i > imageCount)) return;
    if (c.images.length === 2 && c.images[0] === c.images[1]) return;
    const k = `${c.attribute}|${c.relation}|${c.images.join(',')}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push(c);
  };
  let last: number[] = imageCount === 1 ? [0] : [];
  for (const sentence of sentences(label)) {
    const ranking = imageCount >= 2 ? parseRankingSentence(sentence, imageCount) : undefined;
    if (ranking) push({ text: sentence, attribute: ranking.attribute, images: ranking.order.map((i) => i + 1), relation: 'ranking' });
    let prevRefs: Ref[] = [];
    for (const clause of clauses(sentence)) {
      const refs = imageRefs(clause, imageCount);
      const objects = refs.filter((r) => isObject(clause, r, refs));
      let subjects = [...new Set(refs.filter((r) => !objects.includes(r)).map((r) => r.image))];
      let objectImages = [...new Set(objects.map((r) => r.image))];
      const all = ALL_IMAGES.exec(clause);
      if (subjects.length === 0) {
        if (all) subjects = range(imageCount);
        else if (/^\W*which\b/i.test(clause) && prevRefs.length > 0) subjects = [prevRefs[prevRefs.length - 1].image];
        else if (PRONOUN.test(clause) || refs.length === 0 || objectImages.length > 0) subjects = last.filter((s) => !objectImages.includes(s));
        if (subjects.length === 0 && imageCount === 2 && objectImages.length === 1) subjects = [1 - objectImages[0]];
      }
      if (objectImages.length === 0 && OTHERS.test(clause)) objectImages = range(imageCount).filter((i) => !subjects.includes(i));
      const found = matches(clause);
      const aspects = new Map<Match, { attribute: Attribute; dir: 1 | -1; span?: [number, number] } | undefined>();
      for (const m of found) if (m.attribute === 'quality' && m.form !== 'abs') aspects.set(m, aspectOf(clause, m, sentence));
      const aspectSpans = [...aspects.values()].flatMap((a) => (a?.span && a.attribute !== 'quality' ? [a.span] : []));
      const subjectRefs = refs.filter((r) => !objects.includes(r));
      const several = new Set(subjectRefs.map((r) => r.image)).size >= 2;
      let current: number[] | undefined;
      let prevEnd = 0;
      for (const [k, m] of found.entries()) {
        // "the third image has the best quality and the second image the worst": each term takes the
        // subjects written just before it (or, when it leads, just after it)
        let mine = subjects;
        if (several) {
          const between = subjectRefs.filter((r) => r.start >= prevEnd && r.end <= m.start).map((r) => r.image);
          if (between.length > 0) current = [...new Set(between)];
          else if (!current) {
            const next = found[k + 1]?.start ?? Infinity;
            const after = subjectRefs.filter((r) => r.start >= m.end && r.end <= next).map((r) => r.image);
            if (after.length > 0) current = [...new Set(after)];
          }
          if (current) mine = current;
        }
        prevEnd = m.end;
        if (aspectSpans.some(([a, b]) => m.start >= a && m.end <= b)) continue; // "better in terms of noise": the noun is the aspect
        const window = clause.slice(boundaryBefore(m, refs, clause), m.start);
        const negated = NEGATION.test(window) || (/^(?:neither|nor)\b/i.test(clause.trim()) && m.form !== 'sup');
        const aspect = aspects.has(m) ? aspects.get(m) : { attribute: m.attribute, dir: 1 as const };
        if (aspect === undefined) continue; // "better lighting": nothing a cue measures
        const attribute = aspect.attribute;
        const dir = (m.dir * aspect.dir * (negated ? -1 : 1)) as 1 | -1;
        if (ranking && attribute === ranking.attribute && (m.form === 'sup' || m.form === 'cmp')) continue;
        const text = clause.trim();
        if (m.form === 'cmp' || (m.form === 'eq' && negated)) {
          const relation = dir > 0 ? 'greater' : 'less';
          for (const s of mine) {
            const against = objectImages.length > 0 ? objectImages : imageCount === 2 ? [1 - s] : [];
            if (against.length === 0) push({ text, attribute, images: [s + 1], relation });
            for (const o of against) if (o !== s) push({ text, attribute, images: [s + 1, o + 1], relation });
          }
        } else if (m.form === 'sup' && !negated) {
          for (const s of mine.length > 0 ? mine : objectImages.slice(0, 1)) push({ text, attribute, images: [s + 1], relation: dir > 0 ? 'most' : 'least' });
        } else if (m.form === 'abs') {
          const inside = refs.filter((r) => r.start >= m.start && r.end <= m.end).map((r) => r.image);
          const hedged = HEDGE.test(window) || HEDGE.test(m.text);
          for (const s of inside.length > 0 ? inside : mine)
            push({ text, attribute, images: [s + 1], relation: dir > 0 ? 'high' : 'low', ...(hedged ? { hedged } : {}) });
        }
      }
      if (refs.length > 0 && subjects.length > 0 && !all) last = subjects;
      else if (all) last = range(imageCount);
      if (refs.length > 0) prevRefs = refs;
    }
  }
  return out;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+(?=[A-Z("'“])|\n+|;\s+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** "and" starts a new clause when an image (or a pronoun) and its verb follow: "… and the second image is noisy". */
const REF_AHEAD =
  '(?=\\s*(?:(?:the\\s+|image\\s+|picture\\s+|photo\\s+|img\\s+)?(?:first|second|third|fourth|former|latter|left|right|[1-4]\\b|[A-D]\\b)(?:\\s+[\\w-]+){0,4}|\\s*(?:it|this\\s+(?:image|one)))\\s+(?:is|has|appears|looks|seems|shows|suffers|exhibits|displays|contains|lacks|presents|features|was|also|still)\\b)';

function clauses(sentence: string): string[] {
  const re = new RegExp(
    `,?\\s*\\b(?:while|whereas|but|although|though|however|yet)\\b,?|,\\s*(?=which\\b)|,?\\s*\\band\\b${REF_AHEAD}|,\\s*(?=(?:the\\s+)?(?:first|second|third|fourth)\\s+(?:image|one|picture|photo)\\b)|,\\s*(?=(?:image|picture|photo)\\s+(?:[1-4]|[A-D])\\b)|,?\\s*\\b(?:so|therefore|thus|hence|making)\\b(?!\\s+(?:is|are|that|much|far)\\b),?|:\\s+`,
    'gi',
  );
  return sentence
    .split(re)
    .map((s) => s?.trim())
    .filter((s): s is string => !!s);
}

/** A ref that is the object of a comparison: "than the first image", "compared with image 1". */
function isObject(clause: string, r: Ref, refs: Ref[]): boolean {
  const before = clause.slice(0, r.start);
  if (/\b(?:compared|comparison|relative|contrast)\s+(?:to|with)\s+(?:the\s+)?$/i.test(before)) return true;
  if (!OBJECT_BEFORE.test(before)) return false;
  // "and the second" is an object only when it continues a "than …" list
  if (/\band\s+(?:the\s+)?$/i.test(before)) {
    const prev = refs.filter((x) => x.end <= r.start).pop();
    return prev !== undefined && isObject(clause, prev, refs);
  }
  return true;
}

/** Term matches of a clause, longest first where they overlap, in text order. */
function matches(clause: string): Match[] {
  const all: (Match & { order: number })[] = [];
  TERMS.forEach((term, order) => {
    for (const m of clause.matchAll(term.re)) {
      const start = m.index ?? 0;
      all.push({ start, end: start + m[0].length, attribute: term.attribute, form: term.form, dir: term.dir, text: m[0], order });
    }
  });
  all.sort((a, b) => b.end - b.start - (a.end - a.start) || a.order - b.order);
  const kept: Match[] = [];
  for (const m of all) if (!kept.some((k) => m.start < k.end && k.start < m.end)) kept.push(m);
  // "noise in the darker regions": an adjective of a region, not a comparison between images
  for (let i = kept.length - 1; i >= 0; i--) {
    if (kept[i].form === 'cmp' && /^\s+(?:regions?|areas?|parts?|portions?|spots?|corners?|sections?|patches)\b/i.test(clause.slice(kept[i].end)))
      kept.splice(i, 1);
  }
  return kept.sort((a, b) => a.start - b.start);
}

/** Where the negation window of a term starts: after the previous term or image reference. */
function boundaryBefore(m: Match, refs: Ref[], clause: string): number {
  let b = 0;
  for (const r of refs) if (r.end <= m.start) b = Math.max(b, r.end);
  for (const x of matches(clause)) if (x.end <= m.start) b = Math.max(b, x.end);
  return b;
}

/**
 * "better" / "the best" name overall quality unless an aspect follows ("better clarity", "the best
 * in terms of noise"): then the aspect's attribute, with "better" pointing its way (less noise).
 * Undefined when the aspect is one no cue measures (lighting, composition, colour fidelity).
 */
function aspectOf(clause: string, m: Match, sentence: string): { attribute: Attribute; dir: 1 | -1; span?: [number, number] } | undefined {
  if (/^\W*(?:overall,?\s*)?the\s+(?:composition|lighting|framing|colou?rs?|colou?r\s+balance|aesthetics?|content|subject)\s+of\b/i.test(clause))
    return undefined;
  const after = clause.slice(m.end);
  const near = /^\s+(?:overall\s+)?((?:[\w-]+\s+){0,2}?[\w-]+)/.exec(after);
  const termsRe =
    /\b(?:in\s+terms\s+of|in|regarding|with\s+respect\s+to|when\s+it\s+comes\s+to|as\s+for|for)\s+(?:the\s+|its\s+|their\s+)?((?:[\w-]+\s+){0,2}[\w-]+)/gi;
  const candidates: { text: string; span?: [number, number] }[] = [];
  if (near) candidates.push({ text: near[1], span: [m.end, m.end + near[0].length] });
  for (const x of clause.matchAll(termsRe)) candidates.push({ text: x[1], span: [x.index ?? 0, (x.index ?? 0) + x[0].length] });
  if (sentence !== clause) for (const x of sentence.matchAll(termsRe)) candidates.push({ text: x[1] });
  for (const { text, span } of candidates) {
    if (/^(?:quality|overall|visual|image\s+quality|picture\s+quality)\b/i.test(text)) return { attribute: 'quality', dir: 1 };
    for (const a of ASPECTS) if (new RegExp(`^(?:\\w+\\s+)?${a.re.source}`, 'i').test(text)) return { attribute: a.attribute, dir: a.betterDir, span };
    if (new RegExp(`^(?:\\w+\\s+)?${NON_CUE_ASPECTS.source}`, 'i').test(text)) return undefined;
  }
  return { attribute: 'quality', dir: 1 };
}

/** A full ranking stated in one sentence, in descending order of its attribute (0-based). */
export function parseRankingSentence(sentence: string, imageCount: number): { order: number[]; attribute: Attribute } | undefined {
  const attr = rankingAspect(sentence);
  if (!attr) return undefined;
  const complete = (order: number[]): number[] | undefined => {
    const u = [...new Set(order)];
    if (u.length !== order.length || u.length < 2) return undefined;
    if (u.length === imageCount - 1) for (let i = 0; i < imageCount; i++) if (!u.includes(i)) u.push(i);
    return u.length === imageCount ? u : undefined;
  };
  const orient = (bestFirst: number[]) => (attr.betterDir > 0 ? bestFirst : [...bestFirst].reverse());
  // "second > first > third", "Image 2 > Image 1"
  if (/[<>]/.test(sentence) && !(sentence.includes('<') && sentence.includes('>'))) {
    const desc = sentence.includes('>');
    const parts = sentence.split(desc ? '>' : '<');
    const order: number[] = [];
    for (const [k, p] of parts.entries()) {
      const refs = imageRefs(p, imageCount);
      const bare = k === 0 ? /\b(first|second|third|fourth|[1-4]|[A-D])\W*$/i.exec(p.trim()) : /^\W*(first|second|third|fourth|[1-4]|[A-D])\b/i.exec(p.trim());
      if (refs.length > 0) order.push(k === 0 ? refs[refs.length - 1].image : refs[0].image);
      else if (bare && bareIndex(bare[1]) < imageCount) order.push(bareIndex(bare[1]));
      else return undefined;
    }
    const o = complete(desc ? order : order.reverse());
    if (o) return { order: orient(o), attribute: attr.attribute };
  }
  // "X is the best, followed by Y (and then Z)"; "X has the worst quality, followed by Y"
  const fb = /\bfollowed\s+by\b/i.exec(sentence);
  if (fb) {
    const head = sentence.slice(0, fb.index);
    const before = imageRefs(head, imageCount);
    const after = imageRefs(sentence.slice(fb.index), imageCount);
    if (before.length >= 1 && after.length >= 1) {
      const sup = matches(head).find((x) => x.form === 'sup');
      if (sup && sup.attribute !== 'quality') {
        const listed = [before[before.length - 1].image, ...after.map((r) => r.image)];
        const o = complete(sup.dir < 0 ? listed.reverse() : listed);
        if (o) return { order: o, attribute: sup.attribute };
      }
      const worstFirst = /\b(?:worst|lowest|poorest|least)\b/i.test(head) && !/\b(?:best|highest|finest)\b/i.test(head);
      const listed = [before[before.length - 1].image, ...after.map((r) => r.image)];
      const o = complete(worstFirst ? listed.reverse() : listed);
      if (o) return { order: orient(o), attribute: attr.attribute };
    }
  }
  // "Ranking from best to worst: the second, the first, the third"; "ranked as follows: …"
  const m = /\b(?:rank(?:ing|ed|s)?|(?<!in\s)order(?:ed)?(?!\s+to\b)|from\s+(?:best|highest|worst|lowest)\s+to\s+(?:worst|lowest|best|highest))\b/i.exec(
    sentence,
  );
  if (m) {
    const rest = sentence.slice(m.index);
    const worstFirst = /\bfrom\s+(?:worst|lowest)\b|\bascending\b/i.test(rest);
    const listStart = /:|\bis\b|\bare\b|\bas\s+follows\b|\bas\b/i.exec(rest.slice(m[0].length));
    const list = listStart ? rest.slice(m[0].length + listStart.index) : rest.slice(m[0].length);
    const refs = imageRefs(list, imageCount).map((r) => r.image);
    const o = complete(worstFirst ? refs.reverse() : refs);
    if (o && imageCount >= 2 && refs.length >= 2) return { order: orient(o), attribute: attr.attribute };
  }
  return undefined;
}

function bareIndex(s: string): number {
  if (/^[1-4]$/.test(s)) return Number(s) - 1;
  if (/^[A-D]$/.test(s)) return 'ABCD'.indexOf(s);
  return ['first', 'second', 'third', 'fourth'].indexOf(s.toLowerCase());
}

/** The attribute a ranking sentence ranks by: an aspect it names, else overall quality. */
function rankingAspect(sentence: string): { attribute: Attribute; betterDir: 1 | -1 } | undefined {
  const m = /\b(?:in\s+terms\s+of|by|of|regarding|for)\s+(?:the\s+|their\s+|its\s+)?((?:[\w-]+\s+){0,2}[\w-]+)/gi;
  for (const x of sentence.matchAll(m)) {
    const text = x[1];
    if (/^(?:overall\s+)?(?:visual\s+|image\s+)?quality\b/i.test(text)) return { attribute: 'quality', betterDir: 1 };
    for (const a of ASPECTS) if (new RegExp(`^${a.re.source}`, 'i').test(text)) return { attribute: a.attribute, betterDir: a.betterDir };
    if (/^(?:sharpest|clearest)/i.test(text)) return { attribute: 'sharpness', betterDir: 1 };
  }
  if (/\b(?:sharpest|clearest)\b[^.]*\bto\b[^.]*\b(?:blurriest|least\s+sharp)\b/i.test(sentence)) return { attribute: 'sharpness', betterDir: 1 };
  if (/\b(?:lighting|composition|colou?rs?|aesthetics?)\b/i.test(sentence) && !/\bquality\b/i.test(sentence)) return undefined;
  return { attribute: 'quality', betterDir: 1 };
}
