/** Document symbols: one per record, named by its id (or "#index" when it has none). */
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver/node';
import { recordId } from '../core/formats/normalize';
import type { DatasetModel } from './datasetModel';
import type { RecordCheck } from './recordCheck';

export function documentSymbols(model: DatasetModel, checks?: RecordCheck[]): DocumentSymbol[] {
  const doc = model.doc;
  const out: DocumentSymbol[] = new Array(model.count);
  for (let i = 0; i < model.count; i++) {
    const s = model.spans[i];
    let id: string | undefined;
    const c = checks?.[i];
    if (c) id = c.id;
    else {
      try {
        id = recordId(JSON.parse(model.raw(i)), model.mapping);
      } catch {
        id = undefined;
      }
    }
    const range = { start: doc.positionAt(s.start), end: doc.positionAt(s.end) };
    const at = id === undefined ? undefined : idValueSpan(model.raw(i), id, model.mapping?.id ?? 'id');
    const selectionRange = at
      ? { start: doc.positionAt(s.start + at.offset), end: doc.positionAt(s.start + at.offset + at.length) }
      : { start: range.start, end: doc.positionAt(s.start + 1) };
    out[i] = { name: id ?? `#${i}`, detail: `record ${i}`, kind: SymbolKind.Object, range, selectionRange };
  }
  return out;
}

/**
 * Where the id value is written: a quick textual search for `"id": <value>` (the outline needs it
 * for every record, so no syntax tree); undefined when the text is written some other way.
 */
function idValueSpan(raw: string, id: string, field: string): { offset: number; length: number } | undefined {
  const key = JSON.stringify(field);
  const quoted = JSON.stringify(id);
  for (let k = raw.indexOf(key); k !== -1; k = raw.indexOf(key, k + 1)) {
    let at = k + key.length;
    while (at < raw.length && /\s/.test(raw[at])) at++;
    if (raw[at] !== ':') continue;
    at++;
    while (at < raw.length && /\s/.test(raw[at])) at++;
    for (const lit of [quoted, id]) if (raw.startsWith(lit, at)) return { offset: at, length: lit.length };
  }
  return undefined;
}
