/**
 * LLaVA / Co-Instruct conversations (ARCHITECTURE.md, "Items and formats"): `image` (or `images`), a
 * string or a list, and `conversations` of human / gpt turns whose human turns hold one `<image>`
 * (or `<|image|>`) per image. A question with "A. …" option lines is a multiple-choice item whose
 * answer is the first gpt turn.
 */
import { findNodeAtLocation } from 'jsonc-parser';
import type { Item, Turn } from '../item';
import { checkOrdinals, countPlaceholders, findOrdinalPrefixes, stripImageMarkup } from '../ordinals';
import { answerToOption, imageList, jsonType, LETTERS, nodeSpan, parseInlineOptions, str, typeOk } from './fields';
import type { FormatSpec, ProblemSink, Rec } from './spec';

export const llava: FormatSpec<'llava'> = {
  id: 'llava',
  matches: (r) => 'conversations' in r,
  knownFields: ['id', 'image', 'images', 'conversations', 'subset'],
  normalize(r, { subset, extra }) {
    const images = imageList(r.image ?? r.images);
    const turns: Turn[] = [];
    if (Array.isArray(r.conversations)) {
      for (const t of r.conversations) {
        if (!t || typeof t !== 'object') continue;
        const from = str((t as Rec).from) ?? str((t as Rec).role) ?? '';
        const text = str((t as Rec).value) ?? str((t as Rec).content) ?? '';
        turns.push({ role: from === 'gpt' || from === 'assistant' ? 'assistant' : 'user', text });
      }
    }
    const firstUser = turns.find((t) => t.role === 'user');
    const question = firstUser ? stripImageMarkup(firstUser.text) : undefined;
    const label = turns.find((t) => t.role === 'assistant')?.text;
    const candidates = question ? parseInlineOptions(question) : undefined;
    const correct = candidates && label !== undefined ? answerToOption(label, candidates) : undefined;
    return { images, turns, question, label, candidates, correct, subset, groupSize: images.length, extra };
  },
  required: [['conversations', 'array']],
  check(r, item, report) {
    checkTurns(r, item, report);
    checkLetterAnswer(r, item, report);
  },
  imageField: (r) => ('image' in r ? 'image' : 'images' in r ? 'images' : 'image'),
  expectsImages: true,
  // The last gpt / assistant turn's text.
  labelAt(tree) {
    const conv = findNodeAtLocation(tree, ['conversations']);
    if (!conv || conv.type !== 'array' || !conv.children) return 'the record has no conversations array';
    for (let j = conv.children.length - 1; j >= 0; j--) {
      const turn = conv.children[j];
      if (turn.type !== 'object') continue;
      const from = findNodeAtLocation(turn, ['from']) ?? findNodeAtLocation(turn, ['role']);
      if (from?.value !== 'gpt' && from?.value !== 'assistant') continue;
      const v = findNodeAtLocation(turn, ['value']);
      if (v) return nodeSpan(v, `conversations[${j}].value`);
      return nodeSpan(findNodeAtLocation(turn, ['content']), `conversations[${j}].content`);
    }
    return 'the record has no gpt turn';
  },
};

/** Turns alternate human / gpt, hold text, and place one image placeholder per image, in order. */
function checkTurns(r: Rec, item: Item, report: ProblemSink): void {
  const conv = r.conversations;
  if (!Array.isArray(conv)) return;
  if (conv.length === 0) {
    report('missingField', '"conversations" is empty; it needs a human turn and a gpt answer', ['conversations']);
    return;
  }
  const imgv = r.image ?? r.images;
  if (imgv !== undefined && !typeOk(imgv, 'string|array')) {
    report('wrongType', `"image" is ${jsonType(imgv)} but must be a string or an array of strings`, ['image']);
  }
  let angle = 0,
    pipe = 0;
  let expectHuman = true;
  let orderReported = false;
  conv.forEach((t, k) => {
    if (!t || typeof t !== 'object') {
      report('wrongType', `turn ${k} is ${jsonType(t)} but must be an object {"from", "value"}`, ['conversations', k]);
      return;
    }
    const turn = t as Rec;
    const from = turn.from ?? turn.role;
    const text = turn.value ?? turn.content;
    if (typeof from !== 'string') report('missingField', `turn ${k} has no "from" ("human" or "gpt")`, ['conversations', k]);
    if (typeof text !== 'string') {
      report(text === undefined ? 'missingField' : 'wrongType', `turn ${k} has no text "value"`, ['conversations', k]);
      return;
    }
    const isHuman = from === 'human' || from === 'user';
    if (typeof from === 'string' && isHuman !== expectHuman && !orderReported && from !== 'system') {
      report('turnOrder', `turn ${k} is from "${from}" but a ${expectHuman ? 'human' : 'gpt'} turn was expected; turns alternate human, gpt, …`, [
        'conversations',
        k,
        'from',
      ]);
      orderReported = true;
    }
    if (from !== 'system') expectHuman = !isHuman;
    if (text.trim() === '') {
      report('emptyLabel', `the ${isHuman ? 'question' : 'answer'} in turn ${k} is empty; write it or drop the turn`, ['conversations', k, 'value']);
    }
    if (isHuman) {
      const c = countPlaceholders(text);
      angle += c.angle;
      pipe += c.pipe;
    } else {
      const c = countPlaceholders(text);
      if (c.angle + c.pipe > 0)
        report('placeholderCount', `the answer in turn ${k} contains an image placeholder; only human turns may hold images`, ['conversations', k, 'value']);
    }
  });
  const n = item.images.length;
  const placeholders = angle + pipe;
  const firstHuman = conv.findIndex((t) => t && typeof t === 'object' && ((t as Rec).from === 'human' || (t as Rec).from === 'user'));
  const fp = firstHuman >= 0 ? ['conversations', firstHuman, 'value'] : ['conversations'];
  if (placeholders !== n) {
    report(
      'placeholderCount',
      `${placeholders} image placeholder${placeholders === 1 ? '' : 's'} in the human turns but ${n} image${n === 1 ? '' : 's'} in "image"; make them match (one <image> per image, in order)`,
      fp,
    );
  }
  if (angle > 0 && pipe > 0) report('mixedPlaceholders', `both <image> (${angle}) and <|image|> (${pipe}) are used; pick one style (quick fix: convert)`, fp);
  if (firstHuman >= 0) {
    const text = String((conv[firstHuman] as Rec).value ?? (conv[firstHuman] as Rec).content ?? '');
    const problem = checkOrdinals(findOrdinalPrefixes(text), n);
    if (problem) report('ordinalOrder', `${problem}; renumber them to match the images`, fp);
  }
}

/** A multiple-choice conversation whose answer is a letter names an option the question offers. */
function checkLetterAnswer(r: Rec, item: Item, report: ProblemSink): void {
  if (!item.candidates || item.label === undefined) return;
  const ans = item.label.trim();
  if (ans === '') return;
  const looksLikeLetter = /^\(?[A-J]\)?(?:[.):]|\s|$)/.test(ans);
  if (looksLikeLetter && answerToOption(ans, item.candidates) === undefined) {
    const last = (r.conversations as unknown[]).findIndex((t) => t && typeof t === 'object' && ((t as Rec).from === 'gpt' || (t as Rec).from === 'assistant'));
    report(
      'answerNotCandidate',
      `the answer "${ans.slice(0, 40)}" names an option the question does not offer (${item.candidates.length} options: ${LETTERS.slice(0, item.candidates.length).split('').join(', ')})`,
      ['conversations', last, 'value'],
    );
  }
}
