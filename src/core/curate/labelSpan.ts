/**
 * Where a record's label sits in its JSON text, so a correction replaces exactly those characters and
 * leaves the rest of the record as it was (ARCHITECTURE.md, curation loop). Each format's spec says
 * where its label is (`FormatSpec.labelAt`, src/core/formats/): LLaVA the last gpt/assistant turn's
 * `value`, MCQ and Q-Bench the answer field, descriptions `description`.
 */
import { parseTree } from 'jsonc-parser';
import { formatSpec } from '../formats/registry';
import type { LabelSpan } from '../formats/spec';
import type { FieldMapping, FormatId } from '../item';

export type { LabelSpan } from '../formats/spec';

/** The label's span in `text` (one record), or a reason why there is none. */
export function labelSpan(text: string, format: FormatId, mapping?: FieldMapping): LabelSpan | string {
  const tree = parseTree(text);
  if (!tree || tree.type !== 'object') return 'the record is not a JSON object';
  return formatSpec(format).labelAt(tree, mapping);
}

/** `text` with the label replaced by `label` (a JSON string); everything else unchanged. */
export function replaceLabel(text: string, span: LabelSpan, label: string): string {
  return text.slice(0, span.offset) + JSON.stringify(label) + text.slice(span.offset + span.length);
}
