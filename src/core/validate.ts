/**
 * Validation rules for dataset records. Every rule has a stable code and severity; every message
 * names the record index, the line and the field, and says what to do.
 */
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import { parseRaw, type Dataset, type RecordSyntaxError } from './dataset';
import { jsonType, recordId, typeOk } from './formats/fields';
import { formatSpec } from './formats/registry';
import type { Rec } from './formats/spec';
import { checkImagePathSyntax, resolveImagePath, type ResolvedImage } from './imagePaths';
import type { FormatId, Item } from './item';
import { firstInvalidUtf8 } from './utf8';

export type Severity = 'error' | 'warning';

export interface Rule {
  code: string;
  severity: Severity;
  description: string;
}

export const RULES = {
  syntax: { code: 'syntax', severity: 'error', description: 'The record is not valid JSON, or the file structure is broken.' },
  notObject: { code: 'not-an-object', severity: 'error', description: 'A record must be a JSON object.' },
  missingField: { code: 'missing-field', severity: 'error', description: 'A field the format requires is missing.' },
  wrongType: { code: 'wrong-type', severity: 'error', description: 'A field has the wrong JSON type.' },
  placeholderCount: { code: 'placeholder-count', severity: 'error', description: 'The number of image placeholders differs from the number of images.' },
  mixedPlaceholders: { code: 'mixed-placeholders', severity: 'warning', description: 'A record mixes <image> and <|image|> placeholders.' },
  ordinalOrder: {
    code: 'ordinal-order',
    severity: 'error',
    description: 'Ordinal prefixes ("The first image:", …) are out of order or do not match the image count.',
  },
  duplicateId: { code: 'duplicate-id', severity: 'error', description: 'Two records share an id.' },
  emptyLabel: { code: 'empty-label', severity: 'error', description: 'The label or answer is empty.' },
  answerNotCandidate: { code: 'answer-not-candidate', severity: 'error', description: 'The multiple-choice answer is not among the candidates.' },
  pathEscapesRoot: {
    code: 'path-escapes-root',
    severity: 'error',
    description: 'An image path is a URL, absolute, or leaves the image root; it is never read.',
  },
  imageMissing: { code: 'image-missing', severity: 'error', description: 'An image file does not exist under the image root.' },
  tooManyImages: { code: 'too-many-images', severity: 'warning', description: 'More than 4 images in one item.' },
  unsupportedImageType: { code: 'unsupported-image-type', severity: 'error', description: 'An image path has a file type that is not an image.' },
  noImages: { code: 'no-images', severity: 'warning', description: 'A record has no image.' },
  turnOrder: { code: 'turn-order', severity: 'warning', description: 'Conversation turns do not alternate human / gpt starting with human.' },
  unknownFormat: { code: 'unknown-format', severity: 'warning', description: 'The file matches no known dataset format.' },
  tooDeep: { code: 'too-deep', severity: 'error', description: 'A record nests arrays and objects deeper than 100 levels; it is not read.' },
  invalidUtf8: { code: 'invalid-utf8', severity: 'warning', description: 'A record holds bytes that are not valid UTF-8; they read as U+FFFD.' },
} as const satisfies Record<string, Rule>;

export type RuleCode = (typeof RULES)[keyof typeof RULES]['code'];

export type FieldPath = (string | number)[];

export interface Diagnostic {
  /** 0-based record index. */
  index: number;
  /** 1-based line in the file. */
  line: number;
  /** 1-based column (UTF-16 code units) in that line, when known relative to the record's text. */
  column: number;
  severity: Severity;
  code: RuleCode;
  /** Full message: record, line, field, problem, what to do. */
  message: string;
  /** The problem alone, without the location prefix (for editors that show location themselves). */
  detail: string;
  /** Field as text, e.g. conversations[0].value. */
  field?: string;
  fieldPath?: FieldPath;
  /** UTF-16 offset and length of the field's value inside the record's raw text. */
  offset?: number;
  length?: number;
}

/** A problem found in one record, before it is placed in the file. */
export interface RecordProblem {
  rule: Rule & { code: RuleCode };
  detail: string;
  fieldPath?: FieldPath;
}

export function fieldText(p: FieldPath | undefined): string | undefined {
  if (!p || p.length === 0) return undefined;
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

export interface ImageCheck {
  /** Image root; paths are checked lexically against it always. */
  root: string;
  /** Also check that files exist (and do not link outside the root). */
  exists: boolean;
  /** Cache of resolutions, shared across records. */
  cache?: Map<string, ResolvedImage>;
}

/** Checks one parsed record against its format's rules. */
export function validateRecord(value: unknown, item: Item, images?: ImageCheck): RecordProblem[] {
  const out: RecordProblem[] = [];
  const add = (rule: RecordProblem['rule'], detail: string, fieldPath?: FieldPath): void => {
    out.push({ rule, detail, fieldPath });
  };
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    add(RULES.notObject, `the record is ${jsonType(value)}; each record must be a JSON object`);
    return out;
  }
  const r = value as Rec;
  const spec = formatSpec(item.format);
  for (const [field, t] of spec.required) {
    if (!(field in r)) add(RULES.missingField, `"${field}" is missing; a ${spec.id} record needs it`, [field]);
    else if (!typeOk(r[field], t)) add(RULES.wrongType, `"${field}" is ${jsonType(r[field])} but must be ${t === 'array' ? 'an array' : `a ${t}`}`, [field]);
  }
  spec.check?.(r, item, (rule, detail, fieldPath) => add(RULES[rule], detail, fieldPath));

  // Images.
  const imgField = spec.imageField(r);
  if (item.images.length === 0 && spec.expectsImages && !out.some((p) => p.rule.code === 'missing-field')) {
    add(RULES.noImages, 'the record has no image; give it one or drop it', imgField ? [imgField] : undefined);
  }
  if (item.images.length > 4) {
    add(RULES.tooManyImages, `${item.images.length} images; groups of 1–4 are expected (the curator shows them all)`, imgField ? [imgField] : undefined);
  }
  if (images) {
    const isList = imgField !== undefined && Array.isArray(r[imgField]);
    item.images.forEach((p, k) => {
      const fp: FieldPath | undefined = imgField ? (isList ? [imgField, k] : [imgField]) : undefined;
      let res = images.cache?.get(p);
      if (!res) {
        res = images.exists ? resolveImagePath(p, images.root) : checkImagePathSyntax(p, images.root);
        images.cache?.set(p, res);
      }
      if (res.ok) return;
      switch (res.problem) {
        case 'url':
        case 'absolute':
        case 'escapes':
        case 'symlink-escape':
          add(RULES.pathEscapesRoot, `${res.reason}; it was not read — make it relative to the image root`, fp);
          break;
        case 'unsupported-type':
          add(RULES.unsupportedImageType, res.reason, fp);
          break;
        case 'missing':
          add(RULES.imageMissing, `${res.reason}; fix the path or set the image root`, fp);
          break;
        case 'empty':
          add(RULES.missingField, 'an image path is empty', fp);
          break;
      }
    });
  }
  return out;
}

/*
 * File-level problems (ARCHITECTURE.md, "Validation"): the file's structure, a record that does not
 * parse, an unknown format and duplicate ids, worded here once for `cocurate validate` and the
 * language server.
 */

/** A structural fault the record index found (a broken array, a missing comma, an empty file). */
export function structureDetail(message: string): string {
  return `${message}; fix the file structure (the other records still load)`;
}

/** A record that does not parse: invalid JSON, or nested too deep to read. */
export function parseProblemOf(e: RecordSyntaxError): { code: 'syntax' | 'too-deep'; severity: Severity; detail: string } {
  return e.code === 'too-deep'
    ? { code: 'too-deep', severity: RULES.tooDeep.severity, detail: e.detail }
    : { code: 'syntax', severity: RULES.syntax.severity, detail: `${e.detail}; fix the JSON (the other records still load)` };
}

export const UNKNOWN_FORMAT_DETAIL =
  'the records match no known format (LLaVA/Co-Instruct, Q-Bench, MCQ, IQA scores, descriptions); check the field names, or name the format and map the fields (cocurate --format, --map)';

/** Ids seen so far in file order: the first record that used each one. */
export class IdFirstUse {
  private readonly first = new Map<string, number>();
  /** Notes record `index`'s id; returns the earlier record that already used it, if any. */
  note(id: string, index: number): number | undefined {
    const prev = this.first.get(id);
    if (prev === undefined) this.first.set(id, index);
    return prev;
  }
}

/** Record `index` reuses the id of record `prev` (on 1-based line `prevLine`). */
export function duplicateIdProblem(id: string, prev: number, prevLine: number, idField = 'id'): RecordProblem {
  return {
    rule: RULES.duplicateId,
    detail: `id "${id}" is already used by record ${prev} (line ${prevLine}); ids must be unique — rename it or remove this record`,
    fieldPath: [idField],
  };
}

/** Places a record problem in the file: line, column and a message naming index, line and field. */
export function locateProblem(p: RecordProblem, index: number, raw: string, startLine: number, tree?: Node): Diagnostic {
  let offset: number | undefined;
  let length: number | undefined;
  if (p.fieldPath && p.fieldPath.length > 0) {
    const t = tree ?? parseTree(raw);
    let node = t ? findNodeAtLocation(t, p.fieldPath) : undefined;
    // Fall back to the nearest existing ancestor (a missing field points at its record).
    for (let k = p.fieldPath.length - 1; !node && t && k > 0; k--) node = findNodeAtLocation(t, p.fieldPath.slice(0, k));
    if (node) {
      const prop = node.parent?.type === 'property' && node.parent.children?.[1] === node ? node.parent : undefined;
      const missing = !findNodeAtLocation(t!, p.fieldPath);
      const target = missing ? node : (prop ?? node);
      offset = target.offset;
      length = target.length;
    }
  }
  const before = raw.slice(0, offset ?? 0);
  const nl = before.lastIndexOf('\n');
  const line = startLine + (offset ? (before.match(/\n/g)?.length ?? 0) : 0);
  const column = offset === undefined ? 1 : offset - nl;
  const field = fieldText(p.fieldPath);
  const where = `record ${index} (line ${line})${field ? `, field ${field}` : ''}`;
  return {
    index,
    line,
    column,
    severity: p.rule.severity,
    code: p.rule.code,
    message: `${where}: ${p.detail}`,
    detail: p.detail,
    field,
    fieldPath: p.fieldPath,
    offset,
    length,
  };
}

export interface ValidateOptions {
  /** Image root (default: the dataset's folder). */
  imageRoot?: string;
  /** Check that image files exist (default true). */
  checkImages?: boolean;
  /** Records to validate (default all). */
  from?: number;
  to?: number;
  /** Called every few thousand records; return false to stop. */
  onProgress?: (done: number, total: number) => boolean | void;
  /**
   * Diagnostics kept (the first ones in file order; default DEFAULT_MAX_DIAGNOSTICS; 0: all). The
   * rest are counted in `omitted`, so that garbage costs no memory.
   */
  maxDiagnostics?: number;
}

export const DEFAULT_MAX_DIAGNOSTICS = 1000;

export interface ValidationResult {
  items: number;
  format: FormatId;
  /** The first diagnostics in file order (at most maxDiagnostics). */
  diagnostics: Diagnostic[];
  /** Diagnostics found but not kept. */
  omitted: number;
  /** Errors and warnings found, kept or not. */
  errors: number;
  warnings: number;
  cancelled: boolean;
}

const byPlace = (a: Diagnostic, b: Diagnostic): number => a.index - b.index || a.line - b.line;

/**
 * The first `cap` diagnostics in file order, in bounded memory: holds at most 2×cap, sorting and
 * cutting back to cap when full. After the first cut, a record past the last one kept is only counted.
 */
class DiagnosticList {
  private list: Diagnostic[] = [];
  omitted = 0;
  errors = 0;
  warnings = 0;
  /** Highest record index still kept after a cut (Infinity before any cut). */
  private last = Infinity;
  constructor(private readonly cap: number) {}
  /** Would a diagnostic on record `index` be kept? (Saves placing one that would be dropped.) */
  wants(index: number): boolean {
    return index <= this.last;
  }
  count(severity: Severity): void {
    if (severity === 'error') this.errors++;
    else this.warnings++;
  }
  /** Counts a diagnostic that is not kept. */
  skip(severity: Severity, n = 1): void {
    for (let k = 0; k < n; k++) this.count(severity);
    this.omitted += n;
  }
  add(d: Diagnostic): void {
    this.count(d.severity);
    if (!this.wants(d.index)) {
      this.omitted++;
      return;
    }
    this.list.push(d);
    if (this.cap > 0 && this.list.length >= 2 * this.cap) this.cut();
  }
  private cut(): void {
    this.list.sort(byPlace);
    this.omitted += this.list.length - this.cap;
    this.list.length = this.cap;
    this.last = this.list[this.cap - 1].index;
  }
  result(): Diagnostic[] {
    this.list.sort(byPlace);
    if (this.cap > 0 && this.list.length > this.cap) this.cut();
    return this.list;
  }
}

/** Validates a whole dataset, streaming its records in file order. */
export function validateDataset(ds: Dataset, opts: ValidateOptions = {}): ValidationResult {
  const out = new DiagnosticList(opts.maxDiagnostics ?? DEFAULT_MAX_DIAGNOSTICS);
  const root = opts.imageRoot ?? ds.folder;
  const images: ImageCheck = { root, exists: opts.checkImages ?? true, cache: new Map() };
  const from = opts.from ?? 0;
  const to = opts.to ?? ds.count;
  // Structural faults carry byte columns; editors count UTF-16 units. Faults on one line are
  // converted incrementally (a long line of garbage is decoded once, not once per fault).
  let lineStart = -1,
    prevOffset = 0,
    prevColumn = 1;
  for (const e of ds.index.errors) {
    const ls = e.offset - (e.column - 1);
    const column =
      ls === lineStart && e.offset >= prevOffset
        ? prevColumn + ds.bytesAt(prevOffset, e.offset).toString('utf8').length
        : 1 + ds.bytesAt(ls, e.offset).toString('utf8').length;
    lineStart = ls;
    prevOffset = e.offset;
    prevColumn = column;
    const detail = structureDetail(e.message);
    out.add({
      index: e.index,
      line: e.line,
      column,
      severity: RULES.syntax.severity,
      code: 'syntax',
      message: `record ${e.index} (line ${e.line}): ${detail}`,
      detail,
    });
  }
  out.skip('error', ds.index.errorsOmitted);
  if (ds.format === 'unknown' && ds.count > 0) {
    const detail = UNKNOWN_FORMAT_DETAIL;
    out.add({
      index: 0,
      line: ds.index.line(0),
      column: 1,
      severity: RULES.unknownFormat.severity,
      code: 'unknown-format',
      message: `record 0 (line ${ds.index.line(0)}): ${detail}`,
      detail,
    });
  }
  const ids = new IdFirstUse();
  let cancelled = false;
  let done = 0;
  const idField = ds.mapping?.id ?? 'id';
  try {
    ds.forEachRawBytes(
      (i, buf, s, e) => {
        const line = ds.index.line(i);
        const raw = buf.toString('utf8', s, e);
        // Invalid UTF-8 decodes to U+FFFD: only a record holding one (rare) has its bytes checked.
        if (raw.indexOf('\uFFFD') >= 0) {
          const bad = firstInvalidUtf8(buf, s, e);
          if (bad >= 0) {
            if (!out.wants(i)) out.skip('warning');
            else out.add(utf8Diagnostic(ds, i, line, buf, s, bad));
          }
        }
        const parsed = parseRaw(raw, i, line, out.wants(i) ? ds.columnOfRecord : 1);
        if (!parsed.ok) {
          const e = parsed.error;
          const p = parseProblemOf(e);
          if (!out.wants(i)) out.skip(p.severity);
          else
            out.add({
              index: i,
              line: e.line,
              column: e.column,
              severity: p.severity,
              code: p.code,
              message: `record ${i} (line ${e.line}): ${p.detail}`,
              detail: p.detail,
            });
        } else {
          const value = parsed.value;
          const item = ds.itemFrom(i, value, raw, false);
          const problems = validateRecord(value, item, images);
          const id = recordId(value, ds.mapping);
          const prev = id === undefined ? undefined : ids.note(id, i);
          if (prev !== undefined) problems.push(duplicateIdProblem(id!, prev, ds.index.line(prev), idField));
          if (problems.length && !out.wants(i)) for (const p of problems) out.skip(p.rule.severity);
          else if (problems.length) {
            const tree = parseTree(raw);
            let firstColumn: number | undefined;
            for (const p of problems) {
              const d = locateProblem(p, i, raw, line, tree);
              // locateProblem counts columns from the record's start; on its first line, add where it starts.
              if (d.line === line) d.column += (firstColumn ??= ds.recordColumn(i)) - 1;
              out.add(d);
            }
          }
        }
        done++;
        if (opts.onProgress && done % 5000 === 0 && opts.onProgress(done, to - from) === false) {
          cancelled = true;
          throw new StopIteration();
        }
      },
      Infinity,
      from,
      to,
    );
  } catch (e) {
    if (!(e instanceof StopIteration)) throw e;
  }
  return { items: ds.count, format: ds.format, diagnostics: out.result(), omitted: out.omitted, errors: out.errors, warnings: out.warnings, cancelled };
}

/** The invalid-utf8 warning for record i, whose bytes are buf[s..), first bad byte at buf[bad]. */
function utf8Diagnostic(ds: Dataset, i: number, line: number, buf: Buffer, s: number, bad: number): Diagnostic {
  const before = buf.toString('utf8', s, bad);
  const nl = before.lastIndexOf('\n');
  const badLine = line + (before.match(/\n/g)?.length ?? 0);
  const column = nl >= 0 ? before.length - nl : ds.recordColumn(i) + before.length;
  const offset = ds.index.start(i) + (bad - s);
  const detail = `invalid UTF-8 at byte offset ${offset} (byte 0x${buf[bad].toString(16).padStart(2, '0')}); it reads as U+FFFD — re-save the file as UTF-8`;
  return { index: i, line: badLine, column, severity: 'warning', code: 'invalid-utf8', message: `record ${i} (line ${badLine}): ${detail}`, detail };
}

class StopIteration extends Error {}
