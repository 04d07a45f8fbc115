/**
 * Where a record's label sits in its JSON text, so a correction replaces exactly those characters and
 * leaves the rest of the record as it was (ARCHITECTURE.md, curation loop). LLaVA: the last
 * gpt/assistant turn's `value`; MCQ and Q-Bench: the answer field; descriptions: `description`.
 */
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import type { FieldMapping, FormatId } from '../item';

export interface LabelSpan {
  /** Character offset and length of the label's JSON value in the record text. */
  offset: number;
  length: number;
  /** JSON path of the label, for messages: conversations[3].value. */
  path: string;
}

function prop(tree: Node, name: string): Node | undefined {
  return findNodeAtLocation(tree, [name]);
}

/** The label's span in `text` (one record), or a reason why there is none. */
export function labelSpan(text: string, format: FormatId, mapping?: FieldMapping): LabelSpan | string {
  const tree = parseTree(text);
  if (!tree || tree.type !== 'object') return 'the record is not a JSON object';
  const at = (n: Node | undefined, p: string): LabelSpan | string => (n ? { offset: n.offset, length: n.length, path: p } : `the record has no ${p}`);
  switch (format) {
    case 'llava': {
      const conv = prop(tree, 'conversations');
      if (!conv || conv.type !== 'array' || !conv.children) return 'the record has no conversations array';
      for (let j = conv.children.length - 1; j >= 0; j--) {
        const turn = conv.children[j];
        if (turn.type !== 'object') continue;
        const from = findNodeAtLocation(turn, ['from']) ?? findNodeAtLocation(turn, ['role']);
        if (from?.value !== 'gpt' && from?.value !== 'assistant') continue;
        const v = findNodeAtLocation(turn, ['value']);
        if (v) return at(v, `conversations[${j}].value`);
        return at(findNodeAtLocation(turn, ['content']), `conversations[${j}].content`);
      }
      return 'the record has no gpt turn';
    }
    case 'qbench-a1':
    case 'qbench2-pair':
      return at(prop(tree, 'correct_ans'), 'correct_ans');
    case 'mcq': {
      const name = mapping?.answer ?? ['answer', 'correct_ans', 'correct_choice', 'gt'].find((k) => prop(tree, k));
      return name ? at(prop(tree, name), name) : 'the record has no answer field';
    }
    case 'descriptions':
      return at(prop(tree, 'description'), 'description');
    case 'qbench-hf':
      return 'Q-Bench-HF records name the answer by letter (correct_choice); correct them in the source';
    default: {
      const name = ['answer', 'label'].find((k) => prop(tree, k));
      return name ? at(prop(tree, name), name) : 'the record has no answer or label field';
    }
  }
}

/** `text` with the label replaced by `label` (a JSON string); everything else unchanged. */
export function replaceLabel(text: string, span: LabelSpan, label: string): string {
  return text.slice(0, span.offset) + JSON.stringify(label) + text.slice(span.offset + span.length);
}
