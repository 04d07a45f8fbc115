/**
 * Agreement between a label and a model's answer, both parsed the same way: per item agree /
 * disagree / not comparable, and a summary with the list of disagreements.
 */
import type { Item } from '../item';
import { questionFor } from '../endpoint/prompt';
import { describeParsed, parseAnswer, type AnswerContext, type ParsedAnswer } from './parse';

export type AgreementStatus = 'agree' | 'disagree' | 'label-unparsed' | 'answer-unparsed' | 'different-kinds';

export function sameParsed(a: ParsedAnswer, b: ParsedAnswer): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'choice':
      return a.image === (b as typeof a).image;
    case 'tie':
      return true;
    case 'ranking':
      return a.order.join() === (b as typeof a).order.join();
    case 'option':
      return a.index === (b as typeof a).index;
    case 'yesno':
      return a.value === (b as typeof a).value;
    default:
      return false;
  }
}

/** Best image of a ranking, so a ranking can be compared with a choice. */
function asChoice(p: ParsedAnswer): ParsedAnswer {
  return p.kind === 'ranking' ? { kind: 'choice', image: p.order[0] } : p;
}

export function compareParsed(label: ParsedAnswer, answer: ParsedAnswer): AgreementStatus {
  if (label.kind === 'unparsed') return 'label-unparsed';
  if (answer.kind === 'unparsed') return 'answer-unparsed';
  if (label.kind !== answer.kind) {
    const l = asChoice(label),
      a = asChoice(answer);
    if (l.kind === a.kind) return sameParsed(l, a) ? 'agree' : 'disagree';
    if ((l.kind === 'tie' && a.kind === 'choice') || (l.kind === 'choice' && a.kind === 'tie')) return 'disagree';
    return 'different-kinds';
  }
  return sameParsed(label, answer) ? 'agree' : 'disagree';
}

/** The parsing context of an item's question. */
export function contextFor(item: Item): AnswerContext {
  return {
    imageCount: item.groupSize || item.images.length,
    candidates: item.candidates && item.candidates.length >= 2 ? item.candidates : undefined,
    question: item.question,
  };
}

/** The label's own choice: MCQ records carry the correct option's text. */
export function parseLabel(item: Item): ParsedAnswer {
  const ctx = contextFor(item);
  if (ctx.candidates && item.correct !== undefined) {
    const i = ctx.candidates.indexOf(item.correct);
    if (i >= 0) return { kind: 'option', index: i };
  }
  return parseAnswer(item.label, ctx);
}

export interface ItemComparison {
  key: string;
  index: number;
  question?: string;
  label?: string;
  answer: string;
  labelParsed: ParsedAnswer;
  answerParsed: ParsedAnswer;
  labelChoice: string;
  answerChoice: string;
  status: AgreementStatus;
}

export function compareItem(item: Item, answer: string): ItemComparison {
  const labelParsed = parseLabel(item);
  const answerParsed = parseAnswer(answer, contextFor(item));
  return {
    key: item.key,
    index: item.index,
    question: questionFor(item) ?? item.question,
    label: item.label,
    answer,
    labelParsed,
    answerParsed,
    labelChoice: describeParsed(labelParsed, item.candidates),
    answerChoice: describeParsed(answerParsed, item.candidates),
    status: compareParsed(labelParsed, answerParsed),
  };
}

export interface AgreementSummary {
  /** Items with an answer. */
  answered: number;
  /** Items where both sides were parsed into comparable choices. */
  compared: number;
  agree: number;
  disagree: number;
  /** agree / compared, or null when nothing could be compared. */
  rate: number | null;
  labelUnparsed: number;
  answerUnparsed: number;
  differentKinds: number;
  /** Items the endpoint could not answer. */
  failed: number;
}

export function summarizeAgreement(rows: ItemComparison[], failed = 0): AgreementSummary {
  const c = (s: AgreementStatus) => rows.filter((r) => r.status === s).length;
  const agree = c('agree'),
    disagree = c('disagree');
  return {
    answered: rows.length,
    compared: agree + disagree,
    agree,
    disagree,
    rate: agree + disagree > 0 ? agree / (agree + disagree) : null,
    labelUnparsed: c('label-unparsed'),
    answerUnparsed: c('answer-unparsed'),
    differentKinds: c('different-kinds'),
    failed,
  };
}
