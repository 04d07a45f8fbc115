/**
 * Validation of one record's raw text, independent of where the record sits in the file: the
 * result depends only on the text, the format, the field mapping and the image root, so it can be
 * cached by content and reused after edits elsewhere in the document.
 */
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import { parseRaw } from '../core/dataset';
import { normalize, recordId } from '../core/formats/normalize';
import type { FieldMapping, FormatId, Item } from '../core/item';
import { findOrdinalPrefixes } from '../core/ordinals';
import {
  locateProblem,
  parseProblemOf,
  validateRecord,
  type FieldPath,
  type ImageCheck,
  type RecordProblem,
  type RuleCode,
  type Severity,
} from '../core/validate';
import { decodedToRawOffset } from './jsonStringOffsets';

/** A problem inside a record: offsets are UTF-16 units relative to the record's first character. */
export interface LocalProblem {
  offset: number;
  length: number;
  code: RuleCode;
  severity: Severity;
  /** What is wrong and what to do; the field is named first when there is one. */
  message: string;
  fieldPath?: FieldPath;
}

export interface RecordCheck {
  parsed: boolean;
  id?: string;
  problems: LocalProblem[];
}

export interface CheckContext {
  format: FormatId;
  mapping?: FieldMapping;
  images?: ImageCheck;
}

export function checkRecord(raw: string, ctx: CheckContext): RecordCheck {
  const parsed = parseRaw(raw, 0, 1);
  if (!parsed.ok) {
    const e = parsed.error;
    const p = parseProblemOf(e);
    const offset = offsetOfLineColumn(raw, e.line - 1, e.column - 1);
    const eol = raw.indexOf('\n', offset);
    const length = Math.max(1, Math.min(eol === -1 ? raw.length : eol, offset + 40) - offset);
    return {
      parsed: false,
      problems: [{ offset: Math.min(offset, Math.max(0, raw.length - 1)), length, code: p.code, severity: p.severity, message: p.detail }],
    };
  }
  const value = parsed.value;
  const item: Item = normalize(value, ctx.format, { index: 0, line: 1, hash: '', key: '', mapping: ctx.mapping });
  const found = validateRecord(value, item, ctx.images);
  let tree: Node | undefined;
  const treeOf = (): Node | undefined => (tree ??= parseTree(raw));
  const problems = found.map((p) => localProblem(p, raw, treeOf(), value));
  const out: RecordCheck = { parsed: true, problems };
  const id = recordId(value, ctx.mapping);
  if (id !== undefined) out.id = id;
  return out;
}

function localProblem(p: RecordProblem, raw: string, tree: Node | undefined, value: unknown): LocalProblem {
  const d = locateProblem(p, 0, raw, 1, tree);
  let offset = d.offset ?? 0;
  let length = d.length ?? firstLineLength(raw);
  // Narrow to what is wrong inside a string: the first ordinal prefix out of order.
  if (p.rule.code === 'ordinal-order' && p.fieldPath && tree) {
    const narrowed = narrowToOrdinal(raw, tree, p.fieldPath, value);
    if (narrowed) ({ offset, length } = narrowed);
  }
  return { offset, length, code: p.rule.code, severity: p.rule.severity, message: d.field ? `${d.field}: ${p.detail}` : p.detail, fieldPath: p.fieldPath };
}

function narrowToOrdinal(raw: string, tree: Node, fieldPath: FieldPath, value: unknown): { offset: number; length: number } | undefined {
  const node = findNodeAtLocation(tree, fieldPath);
  if (!node || node.type !== 'string') return undefined;
  const text = valueAt(value, fieldPath);
  if (typeof text !== 'string') return undefined;
  const mentions = findOrdinalPrefixes(text);
  const bad = mentions.findIndex((m, i) => m.ordinal !== i + 1);
  const m = mentions[bad >= 0 ? bad : mentions.length - 1];
  if (!m) return undefined;
  const literal = raw.slice(node.offset, node.offset + node.length);
  const a = decodedToRawOffset(literal, m.offset);
  const b = decodedToRawOffset(literal, m.offset + m.length);
  return { offset: node.offset + a, length: b - a };
}

export function valueAt(value: unknown, fieldPath: FieldPath): unknown {
  let v: unknown = value;
  for (const k of fieldPath) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

function firstLineLength(raw: string): number {
  const nl = raw.indexOf('\n');
  return Math.max(1, nl === -1 ? raw.length : nl);
}

function offsetOfLineColumn(raw: string, line: number, column: number): number {
  let pos = 0;
  for (let l = 0; l < line; l++) {
    const nl = raw.indexOf('\n', pos);
    if (nl === -1) return raw.length;
    pos = nl + 1;
  }
  return Math.min(raw.length, pos + Math.max(0, column));
}

/**
 * Span of the top-level id value inside a record's text (for duplicate-id ranges and symbol
 * selections); computed on demand because building a syntax tree for every record is costly.
 */
export function idSpan(raw: string, idField = 'id'): { offset: number; length: number } | undefined {
  const tree = parseTree(raw);
  const node = tree ? findNodeAtLocation(tree, [idField]) : undefined;
  return node ? { offset: node.offset, length: node.length } : undefined;
}
