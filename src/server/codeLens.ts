/**
 * CodeLens "Preview · Review · Ask model" above each record, running the extension's commands
 * `curator.previewItem`, `curator.reviewItem` and `curator.askModel` with one argument
 * `{uri, index, key}`. In long files (more lines than the limit) only the cursor's record gets them.
 */
import type { CodeLens } from 'vscode-languageserver/node';
import type { DatasetModel } from './datasetModel';

export interface ItemCommandArgs {
  /** Dataset document URI. */
  uri: string;
  /** 0-based record index. */
  index: number;
  /** Item key: the id when present and unique, else "#index". */
  key: string;
}

export const ITEM_COMMANDS = [
  { title: 'Preview', command: 'curator.previewItem' },
  { title: 'Review', command: 'curator.reviewItem' },
  { title: 'Ask model', command: 'curator.askModel' },
] as const;

export function codeLenses(model: DatasetModel, keyOf: (i: number) => string, lineLimit: number, cursorLine: number | undefined): CodeLens[] {
  const doc = model.doc;
  let records: number[];
  if (doc.lineCount > lineLimit) {
    const line = cursorLine ?? 0;
    const offset = doc.offsetAt({ line, character: 0 });
    let i = model.recordAt(offset);
    if (i < 0) {
      // The cursor line starts between records (e.g. indentation of an array record): look at the line's end.
      i = model.recordAt(doc.offsetAt({ line: line + 1, character: 0 }) - 1);
    }
    records = i >= 0 ? [i] : [];
  } else records = model.spans.map((_, i) => i);
  const out: CodeLens[] = [];
  for (const i of records) {
    const start = doc.positionAt(model.spans[i].start);
    const range = { start, end: start };
    const args: ItemCommandArgs = { uri: doc.uri, index: i, key: keyOf(i) };
    for (const c of ITEM_COMMANDS) out.push({ range, command: { title: c.title, command: c.command, arguments: [args] } });
  }
  return out;
}
