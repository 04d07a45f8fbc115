/**
 * Teach2Compare: a vision-language teacher labels unlabelled image groups. Two calls per group:
 * a general comparison (the same question as Merge2Compare, with the real images interleaved) and a
 * question-answer generation (a question on clarity, lighting, colour, … with one correct and several
 * false answers), written as an open QA record and as an MCQ record.
 */
import { mcqQuestion, OPTION_LETTERS } from '../endpoint/prompt';
import { Random } from '../random';
import { comparisonRecord, humanTurn, type LlavaRecord } from './merge';

export const QA_GENERATION_PROMPT = [
  'Write one question about the visual quality of these images that can be answered by looking at them',
  '(for example about clarity, sharpness, noise, lighting, exposure, colour, composition or which image is better in some respect).',
  'Give one correct answer and three false but plausible answers.',
  'Reply with JSON only, in this form: {"question": "...", "correct": "...", "false": ["...", "...", "..."]}',
].join(' ');

export interface GeneratedQA {
  question: string;
  correct: string;
  false: string[];
}

/** Parses the teacher's QA answer: the first JSON object in the text, with the fields checked. */
export function parseGeneratedQA(text: string): GeneratedQA {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) throw new Error('the teacher did not answer with a JSON object');
  let v: unknown;
  try {
    v = JSON.parse(text.slice(start, end + 1));
  } catch (e) {
    throw new Error(`the teacher's JSON does not parse: ${(e as Error).message}`);
  }
  const r = v as Record<string, unknown>;
  const question = typeof r.question === 'string' ? r.question.trim() : '';
  const correct = typeof r.correct === 'string' ? r.correct.trim() : typeof r.answer === 'string' ? r.answer.trim() : '';
  const wrongRaw = Array.isArray(r.false) ? r.false : Array.isArray(r.false_answers) ? r.false_answers : Array.isArray(r.wrong) ? r.wrong : [];
  const wrong = [
    ...new Set(
      wrongRaw
        .filter((x): x is string => typeof x === 'string')
        .map((x) => x.trim())
        .filter((x) => x && x !== correct),
    ),
  ];
  if (!question || !correct || wrong.length === 0) throw new Error("the teacher's JSON lacks a question, a correct answer or false answers");
  return { question, correct, false: wrong.slice(0, OPTION_LETTERS.length - 1) };
}

export interface TeachProvenance {
  teacher_model: string;
}

export function teacherComparisonRecord(id: string, images: string[], answer: string, prov: TeachProvenance): LlavaRecord {
  return { ...comparisonRecord(id, images, answer, 'teach2compare-comparison'), ...prov };
}

export function openQARecord(id: string, images: string[], qa: GeneratedQA, prov: TeachProvenance): LlavaRecord {
  return {
    id,
    image: images,
    conversations: [
      { from: 'human', value: humanTurn(images.length, qa.question) },
      { from: 'gpt', value: qa.correct },
    ],
    subset: 'teach2compare-qa',
    false_answers: qa.false,
    ...prov,
  };
}

/** Options shuffled with a seed derived from the record id, so reruns give the same letters. */
export function mcqRecord(id: string, images: string[], qa: GeneratedQA, prov: TeachProvenance, seed: string | number): LlavaRecord {
  const options = new Random(`mcq:${seed}:${id}`).shuffle([qa.correct, ...qa.false]);
  const letter = OPTION_LETTERS[options.indexOf(qa.correct)];
  const question = mcqQuestion(qa.question, options);
  return {
    id,
    image: images,
    conversations: [
      { from: 'human', value: humanTurn(images.length, question) },
      { from: 'gpt', value: letter },
    ],
    subset: 'teach2compare-mcq',
    ...prov,
  };
}
