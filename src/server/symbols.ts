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
    let idOffset: number | undefined, idLength: number | undefined;
    const c = checks?.[i];
    if (c) ({ id, idOffset, idLength } = c);
    else {
      try { id = recordId(JSON.parse(model.raw(i)), model.mapping); } catch { id = undefined; }
    }
    const range = { start: doc.positionAt(s.start), end: doc.positionAt(s.end) };
    const selectionRange = idOffset !== undefined
      ? { start: doc.positionAt(s.start + idOffset), end: doc.positionAt(s.start + idOffset + (idLength ?? 1)) }
      : { start: range.start, end: doc.positionAt(s.start + 1) };
    out[i] = { name: id ?? `#${i}`, detail: `record ${i}`, kind: SymbolKind.Object, range, selectionRange };
  }
  return out;
}
