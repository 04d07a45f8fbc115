/**
 * Quick fixes as workspace edits (each applies — and undoes — in one step):
 * - convert image placeholders <image> ↔ <|image|> in this record or in the whole file;
 * - renumber ordinal prefixes ("The first image:", …) to match the images;
 * - remove a record whose id duplicates an earlier one.
 * Whole-file conversions are computed on resolve when the client supports it (they can be large).
 */
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { CodeActionKind, type CodeAction, type Diagnostic, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver/node';
import { findOrdinalPrefixes, ordinalPrefix } from '../core/ordinals';
import type { DatasetModel } from './datasetModel';
import { decodedToRawOffset } from './jsonStringOffsets';
import { valueAt, type RecordCheck } from './recordCheck';

export const ANGLE = '<image>';
export const PIPE = '<|image|>';

/** Data carried by a code action awaiting resolve. */
export interface ActionData {
  kind: 'convert-file';
  uri: string;
  version: number;
  from: string;
  to: string;
}

export interface ActionContext {
  diagnostics: Diagnostic[];
  checks?: RecordCheck[];
  /** The client resolves edits lazily (codeAction/resolve with "edit"). */
  lazyEdits: boolean;
}

export function codeActions(model: DatasetModel, startOffset: number, endOffset: number, ctx: ActionContext): CodeAction[] {
  const out: CodeAction[] = [];
  const uri = model.doc.uri;
  const first = model.recordAt(startOffset);
  const records = new Set<number>();
  if (first >= 0) records.add(first);
  // Diagnostics may date from an earlier version: place them by their range in the current text.
  const recordOf = new Map<Diagnostic, number>();
  for (const d of ctx.diagnostics) {
    if (d.source !== 'curator') continue;
    const r = model.recordAt(model.doc.offsetAt(d.range.start));
    if (r < 0) continue;
    recordOf.set(d, r);
    records.add(r);
  }
  const last = model.recordAt(endOffset);
  if (last >= 0) records.add(last);
  const diagsFor = (i: number, code: string): Diagnostic[] => ctx.diagnostics.filter((d) => d.code === code && recordOf.get(d) === i);

  for (const i of [...records].sort((a, b) => a - b)) {
    const raw = model.raw(i);
    const check = ctx.checks?.[i];
    const label = model.count > 1 ? ` in record ${i}` : '';
    // Placeholders in this record.
    const hasAngle = raw.includes(ANGLE);
    const hasPipe = raw.includes(PIPE);
    const mixed = diagsFor(i, 'mixed-placeholders');
    if (hasAngle) out.push(convertRecord(model, i, ANGLE, PIPE, `Convert <image> to <|image|>${label}`, mixed));
    if (hasPipe) out.push(convertRecord(model, i, PIPE, ANGLE, `Convert <|image|> to <image>${label}`, mixed));
    // Ordinal prefixes.
    if (check?.problems.some((p) => p.code === 'ordinal-order') || diagsFor(i, 'ordinal-order').length) {
      const fix = renumberOrdinals(model, i);
      if (fix)
        out.push({
          title: `Renumber the ordinal prefixes${label}`,
          kind: CodeActionKind.QuickFix,
          diagnostics: diagsFor(i, 'ordinal-order'),
          isPreferred: true,
          edit: { changes: { [uri]: fix } },
        });
    }
    // Duplicate record: confirmed against the current results (never remove on a stale diagnostic).
    const dups = diagsFor(i, 'duplicate-id');
    const dupOf = dups.length && ctx.checks ? firstWithId(ctx.checks, i) : undefined;
    if (dupOf !== undefined) {
      const identical = model.raw(dupOf) === raw;
      out.push({
        title: `Remove record ${i} (${identical ? 'an exact copy' : 'same id'} of record ${dupOf})`,
        kind: CodeActionKind.QuickFix,
        diagnostics: dups,
        isPreferred: identical,
        edit: { changes: { [uri]: [removeRecordEdit(model, i)] } },
      });
    }
  }
  // Whole file.
  const text = model.text;
  const fileAngle = text.includes(ANGLE);
  const filePipe = text.includes(PIPE);
  if (fileAngle && (filePipe || records.size > 0)) out.push(convertFile(model, ANGLE, PIPE, ctx.lazyEdits));
  if (filePipe && (fileAngle || records.size > 0)) out.push(convertFile(model, PIPE, ANGLE, ctx.lazyEdits));
  return out;
}

/** The first record before i with the same id as record i, or undefined. */
function firstWithId(checks: RecordCheck[], i: number): number | undefined {
  const id = checks[i]?.id;
  if (id === undefined) return undefined;
  for (let j = 0; j < i; j++) if (checks[j]?.id === id) return j;
  return undefined;
}

function convertRecord(model: DatasetModel, i: number, from: string, to: string, title: string, diagnostics: Diagnostic[]): CodeAction {
  const s = model.spans[i];
  const edits = replaceAll(model, from, to, s.start, s.end);
  return {
    title,
    kind: diagnostics.length ? CodeActionKind.QuickFix : CodeActionKind.RefactorRewrite,
    diagnostics: diagnostics.length ? diagnostics : undefined,
    edit: { changes: { [model.doc.uri]: edits } },
  };
}

function convertFile(model: DatasetModel, from: string, to: string, lazy: boolean): CodeAction {
  const title = `Convert every ${from} to ${to} in the file`;
  const kind = CodeActionKind.RefactorRewrite + '.curator.placeholders';
  if (lazy) {
    const data: ActionData = { kind: 'convert-file', uri: model.doc.uri, version: model.doc.version, from, to };
    return { title, kind, data };
  }
  return { title, kind, edit: convertFileEdit(model, from, to) };
}

export function convertFileEdit(model: DatasetModel, from: string, to: string): WorkspaceEdit {
  return { changes: { [model.doc.uri]: replaceAll(model, from, to, 0, model.text.length) } };
}

function replaceAll(model: DatasetModel, from: string, to: string, start: number, end: number): TextEdit[] {
  const edits: TextEdit[] = [];
  const doc = model.doc;
  for (let k = model.text.indexOf(from, start); k !== -1 && k + from.length <= end; k = model.text.indexOf(from, k + from.length)) {
    edits.push({ range: { start: doc.positionAt(k), end: doc.positionAt(k + from.length) }, newText: to });
  }
  return edits;
}

/** Edits that renumber the prefixes of the first human turn, or undefined when renumbering cannot fix it. */
export function renumberOrdinals(model: DatasetModel, i: number): TextEdit[] | undefined {
  const item = model.item(i);
  const value = model.parse(i);
  if (!item || !value || typeof value !== 'object') return undefined;
  const conv = (value as Record<string, unknown>).conversations;
  if (!Array.isArray(conv)) return undefined;
  const k = conv.findIndex(
    (t) => t && typeof t === 'object' && ((t as Record<string, unknown>).from === 'human' || (t as Record<string, unknown>).from === 'user'),
  );
  if (k < 0) return undefined;
  const field = typeof (conv[k] as Record<string, unknown>).value === 'string' ? 'value' : 'content';
  const fieldPath = ['conversations', k, field];
  const text = valueAt(value, fieldPath);
  if (typeof text !== 'string') return undefined;
  const mentions = findOrdinalPrefixes(text);
  const n = item.images.length;
  if (mentions.length === 0 || mentions.length !== n) return undefined;
  const raw = model.raw(i);
  const tree = parseTree(raw);
  const node = tree ? findNodeAtLocation(tree, fieldPath) : undefined;
  if (!node) return undefined;
  const literal = raw.slice(node.offset, node.offset + node.length);
  const base = model.spans[i].start + node.offset;
  const edits: TextEdit[] = [];
  mentions.forEach((m, j) => {
    const want = ordinalPrefix(j, n);
    if (m.text === want) return;
    const a = base + decodedToRawOffset(literal, m.offset);
    const b = base + decodedToRawOffset(literal, m.offset + m.length);
    edits.push({ range: { start: model.doc.positionAt(a), end: model.doc.positionAt(b) }, newText: want });
  });
  return edits.length ? edits : undefined;
}

/** Deletes record i with its separator (JSONL: its line; arrays: the comma before or after it). */
export function removeRecordEdit(model: DatasetModel, i: number): TextEdit {
  const doc = model.doc;
  const s = model.spans[i];
  let a: number, b: number;
  if (model.layout.container === 'jsonl') {
    const line = doc.positionAt(s.start).line;
    const endLine = doc.positionAt(s.end).line;
    if (endLine + 1 < doc.lineCount) {
      a = doc.offsetAt({ line, character: 0 });
      b = doc.offsetAt({ line: endLine + 1, character: 0 });
    } else {
      a = line > 0 ? doc.offsetAt({ line: line - 1, character: Number.MAX_SAFE_INTEGER }) : doc.offsetAt({ line, character: 0 });
      b = model.text.length;
    }
  } else if (i + 1 < model.count && sameGroup(model, i, i + 1)) {
    // Up to the next record's first character: the record, its comma and the whitespace after it.
    a = lineStartIfBlank(model.text, s.start);
    b = lineStartIfBlank(model.text, model.spans[i + 1].start);
  } else if (i > 0 && sameGroup(model, i - 1, i)) {
    a = model.spans[i - 1].end;
    b = s.end;
  } else {
    a = s.start;
    b = s.end;
  }
  return { range: { start: doc.positionAt(a), end: doc.positionAt(b) }, newText: '' };
}

/** Two records in the same array (no group key between them). */
function sameGroup(model: DatasetModel, i: number, j: number): boolean {
  const between = model.text.slice(model.spans[i].end, model.spans[j].start);
  return /^\s*,\s*$/.test(between);
}

/** Moves an offset back to its line's start when only whitespace precedes it on the line. */
function lineStartIfBlank(text: string, offset: number): number {
  let k = offset;
  while (k > 0 && (text[k - 1] === ' ' || text[k - 1] === '\t')) k--;
  return k === 0 || text[k - 1] === '\n' ? k : offset;
}
