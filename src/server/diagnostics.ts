/**
 * Validation of open dataset documents: runs on open, debounced after edits, cancelled by newer
 * edits, and incremental — after an edit only the records inside the changed region (JSONL: the
 * changed lines) are parsed and checked again. The changed region is found by comparing the new
 * text with the last validated one (common prefix and suffix); records outside it keep their
 * results, including those of a pass that was cancelled half-way.
 */
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DiagnosticSeverity, type Connection, type Diagnostic } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { matchesGlob } from '../core/glob';
import type { ResolvedImage } from '../core/imagePaths';
import { duplicateIdProblem, fieldText, IdFirstUse, structureDetail, UNKNOWN_FORMAT_DETAIL } from '../core/validate';
import type { DatasetModel, DatasetModels } from './datasetModel';
import { checkRecord, idSpan, type CheckContext, type RecordCheck } from './recordCheck';
import { PassProgress } from './passProgress';
import type { RecordSpan } from './recordSpans';
import { VALIDATED_NOTIFICATION, type ValidationStats } from '../lspProtocol';
import { imageRootFor, type ServerSettings } from './settings';

export type { ValidationStats } from '../lspProtocol';

/** Data attached to each diagnostic, read back by code actions. */
export interface DiagnosticData {
  record: number;
  /** duplicate-id: the record that first used the id. */
  duplicateOf?: number;
}

/** The text of the last pass and its results (entries may be missing when the pass was cancelled). */
interface LastPass {
  text: string;
  spans: RecordSpan[];
  checks: (RecordCheck | undefined)[];
}

interface DocState {
  generation: number;
  timer?: NodeJS.Timeout;
  last?: LastPass;
  cacheKey: string;
  images: Map<string, ResolvedImage>;
  /** Results of the last completed pass, aligned with that version's records. */
  version?: number;
  checks?: RecordCheck[];
  dataset?: boolean;
}

const yieldToEvents = (): Promise<void> => new Promise((r) => setImmediate(r));

export class DiagnosticsRunner {
  private states = new Map<string, DocState>();
  /** The client shows server-initiated progress (window.workDoneProgress). */
  workDoneProgress = false;

  constructor(
    private readonly connection: Connection,
    private readonly models: DatasetModels,
    private readonly settings: () => ServerSettings,
    private readonly workspaceFolderOf: (file: string) => string | undefined,
  ) {}

  private state(uri: string): DocState {
    let s = this.states.get(uri);
    if (!s) {
      s = { generation: 0, cacheKey: '', images: new Map() };
      this.states.set(uri, s);
    }
    return s;
  }

  /** Validates now (document opened). */
  opened(doc: TextDocument): void {
    const st = this.state(doc.uri);
    st.generation++;
    if (st.timer) clearTimeout(st.timer);
    this.runSafely(doc, st.generation);
  }

  /** Cancels any pass in flight and validates after the debounce delay. */
  changed(doc: TextDocument): void {
    const st = this.state(doc.uri);
    const gen = ++st.generation;
    if (st.timer) clearTimeout(st.timer);
    st.timer = setTimeout(() => {
      st.timer = undefined;
      this.runSafely(doc, gen);
    }, this.settings().debounceMs);
  }

  /** Saved: image files may have appeared; re-check records that reported image problems. */
  saved(doc: TextDocument): void {
    const st = this.state(doc.uri);
    st.images.clear();
    const checks = st.last?.checks ?? [];
    for (let i = 0; i < checks.length; i++) if (checks[i]?.problems.some((p) => p.code === 'image-missing')) checks[i] = undefined;
    this.opened(doc);
  }

  closed(uri: string): void {
    const st = this.states.get(uri);
    if (st?.timer) clearTimeout(st.timer);
    this.states.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  /** Settings changed: forget every cached result and validate all given documents again. */
  revalidate(docs: TextDocument[]): void {
    for (const d of docs) {
      const st = this.state(d.uri);
      st.cacheKey = '';
      this.opened(d);
    }
  }

  /** The record checks of the last completed pass when it matches the document's version. */
  checksFor(doc: TextDocument): RecordCheck[] | undefined {
    const st = this.states.get(doc.uri);
    return st && st.version === doc.version ? st.checks : undefined;
  }

  /** Is the document treated as a dataset (known format, or matched by an include glob)? */
  isDataset(model: DatasetModel): boolean {
    return model.format !== 'unknown' || matchesGlob(model.fileName, this.settings().include);
  }

  /** A failing pass is logged to the client's output, never allowed to end the server. */
  private runSafely(doc: TextDocument, gen: number): void {
    this.run(doc, gen).catch((e: unknown) => {
      this.connection.console.error(`validation of ${doc.uri} failed: ${(e as Error)?.stack ?? String(e)}`);
    });
  }

  private async run(doc: TextDocument, gen: number): Promise<void> {
    const st = this.state(doc.uri);
    if (st.generation !== gen) return;
    const t0 = performance.now();
    const model = this.models.get(doc);
    const settings = this.settings();
    const stats: ValidationStats = {
      uri: doc.uri,
      version: doc.version,
      dataset: false,
      format: model.format,
      records: model.count,
      checked: 0,
      reused: 0,
      diagnostics: 0,
      millis: 0,
    };
    if (!this.isDataset(model)) {
      st.version = doc.version;
      st.checks = [];
      st.dataset = false;
      await this.connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: [] });
      stats.millis = performance.now() - t0;
      void this.connection.sendNotification(VALIDATED_NOTIFICATION, stats);
      return;
    }
    stats.dataset = true;
    const root = imageRootFor(settings, model.fileName, this.workspaceFolderOf(model.fileName));
    const key = `${model.format}\u0000${root}\u0000${settings.checkImages}`;
    if (st.cacheKey !== key) {
      st.last = undefined;
      st.images = new Map();
      st.cacheKey = key;
    }
    const ctx: CheckContext = { format: model.format, mapping: model.mapping, images: { root, exists: settings.checkImages, cache: st.images } };
    const reuse = reusableResults(st.last, model.text, model.spans);
    const checks: RecordCheck[] = new Array(model.count);
    let lastYield = performance.now();
    const progress = new PassProgress(this.connection, this.workDoneProgress, `Curator: validating ${path.basename(model.fileName)}`);
    try {
      for (let i = 0; i < model.count; i++) {
        let c = reuse(i);
        if (c) stats.reused++;
        else {
          c = checkRecord(model.raw(i), ctx);
          stats.checked++;
        }
        checks[i] = c;
        if ((i & 127) === 127 && performance.now() - lastYield > 25) {
          progress.update(i + 1, model.count, performance.now() - t0);
          await yieldToEvents();
          lastYield = performance.now();
          if (st.generation !== gen || this.states.get(doc.uri) !== st) {
            // Superseded: keep the work done so far for the next pass.
            st.last = { text: model.text, spans: model.spans, checks };
            return;
          }
        }
      }
    } finally {
      progress.done();
    }
    st.last = { text: model.text, spans: model.spans, checks };
    st.checks = checks;
    st.version = doc.version;
    st.dataset = true;
    const diagnostics = this.toDiagnostics(model, checks);
    stats.diagnostics = diagnostics.length;
    await this.connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
    stats.millis = performance.now() - t0;
    void this.connection.sendNotification(VALIDATED_NOTIFICATION, stats);
  }

  private toDiagnostics(model: DatasetModel, checks: RecordCheck[]): Diagnostic[] {
    const doc = model.doc;
    const out: Diagnostic[] = [];
    const range = (start: number, length: number): Diagnostic['range'] => ({ start: doc.positionAt(start), end: doc.positionAt(start + Math.max(1, length)) });
    for (const e of model.layout.errors) {
      const eol = model.text.indexOf('\n', e.offset);
      const len = Math.max(1, Math.min(eol === -1 ? model.text.length : eol, e.offset + 40) - e.offset);
      out.push({
        range: range(Math.min(e.offset, Math.max(0, model.text.length - 1)), len),
        severity: DiagnosticSeverity.Error,
        code: 'syntax',
        source: 'curator',
        message: structureDetail(e.message),
        data: { record: e.index } satisfies DiagnosticData,
      });
    }
    if (model.format === 'unknown' && model.count > 0) {
      const s = model.spans[0];
      out.push({
        range: range(s.start, 1),
        severity: DiagnosticSeverity.Warning,
        code: 'unknown-format',
        source: 'curator',
        message: UNKNOWN_FORMAT_DETAIL,
        data: { record: 0 } satisfies DiagnosticData,
      });
    }
    const ids = new IdFirstUse();
    for (let i = 0; i < checks.length; i++) {
      const c = checks[i];
      const s = model.spans[i];
      for (const p of c.problems) {
        out.push({
          range: range(s.start + p.offset, p.length),
          severity: p.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
          code: p.code,
          source: 'curator',
          message: p.message,
          data: { record: i } satisfies DiagnosticData,
        });
      }
      const prev = c.id === undefined ? undefined : ids.note(c.id, i);
      if (prev !== undefined) {
        const p = duplicateIdProblem(c.id!, prev, model.spans[prev].line + 1, model.mapping?.id);
        const span = idSpan(model.raw(i), model.mapping?.id);
        out.push({
          range: range(s.start + (span?.offset ?? 0), span?.length ?? 1),
          severity: p.rule.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
          code: p.rule.code,
          source: 'curator',
          message: `${fieldText(p.fieldPath)}: ${p.detail}`,
          data: { record: i, duplicateOf: prev } satisfies DiagnosticData,
        });
      }
    }
    return out;
  }
}

/** Length of the common prefix of two strings (binary search over native slice comparisons). */
export function commonPrefixLength(a: string, b: string): number {
  let lo = 0,
    hi = Math.min(a.length, b.length);
  if (a.slice(0, hi) === b.slice(0, hi)) return hi;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (a.slice(lo, mid) === b.slice(lo, mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Length of the common suffix, leaving out the first `skip` characters of the shorter string. */
export function commonSuffixLength(a: string, b: string, skip: number): number {
  let lo = 0,
    hi = Math.min(a.length, b.length) - skip;
  if (hi <= 0) return 0;
  if (a.slice(a.length - hi) === b.slice(b.length - hi)) return hi;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (a.slice(a.length - mid, a.length - lo) === b.slice(b.length - mid, b.length - lo)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * For record i of the new text, the result of the same record text in the last pass when the
 * record lies wholly in the unchanged prefix or suffix (and sits at the same place relative to it).
 */
function reusableResults(last: LastPass | undefined, text: string, spans: RecordSpan[]): (i: number) => RecordCheck | undefined {
  if (!last) return () => undefined;
  const old = last.text;
  const prefix = commonPrefixLength(old, text);
  // Prefix and suffix are measured independently: where an insertion repeats the text around it
  // they overlap, which is fine here — a record inside either one has the same text as before.
  const suffix = commonSuffixLength(old, text, 0);
  const shift = text.length - old.length;
  const countShift = spans.length - last.spans.length;
  const suffixStart = text.length - suffix;
  return (i) => {
    const s = spans[i];
    // Strictly inside the prefix: the character after the record (its line end, comma…) is unchanged too.
    if (s.end < prefix) {
      const o = last.spans[i];
      return o && o.start === s.start && o.end === s.end ? last.checks[i] : undefined;
    }
    if (s.start > suffixStart) {
      const j = i - countShift;
      const o = last.spans[j];
      return o && o.start + shift === s.start && o.end + shift === s.end ? last.checks[j] : undefined;
    }
    return undefined;
  };
}
