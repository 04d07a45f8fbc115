/**
 * The dataset view of one open editor document at one version: where its records are, which
 * format they follow, and access to each record's text and parsed value. Rebuilt lazily when the
 * document changes (indexing is a single pass over the text).
 */
import { fileURLToPath } from 'node:url';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { detectFormat } from '../core/formats/detect';
import { normalize } from '../core/formats/normalize';
import type { FieldMapping, FormatId, Item } from '../core/item';
import { recordAt, recordLayout, type RecordLayout, type RecordSpan } from './recordSpans';

export class DatasetModel {
  readonly layout: RecordLayout;
  readonly format: FormatId;
  /** The document version this model was built from (the TextDocument itself updates in place). */
  readonly version: number;
  private parsedCache = new Map<number, unknown>();

  constructor(
    readonly doc: TextDocument,
    readonly text: string,
    readonly fileName: string,
    readonly mapping?: FieldMapping,
  ) {
    this.version = doc.version;
    this.layout = recordLayout(text, fileName);
    const sample: unknown[] = [];
    for (let i = 0; i < Math.min(20, this.layout.spans.length); i++) {
      const v = this.parse(i);
      if (v !== undefined) sample.push(v);
    }
    this.format = detectFormat(sample, mapping);
  }

  get count(): number {
    return this.layout.spans.length;
  }
  get spans(): RecordSpan[] {
    return this.layout.spans;
  }

  raw(i: number): string {
    const s = this.layout.spans[i];
    return this.text.slice(s.start, s.end);
  }

  /** The parsed record, or undefined when it is not valid JSON. */
  parse(i: number): unknown {
    if (this.parsedCache.has(i)) return this.parsedCache.get(i);
    let v: unknown;
    try {
      v = JSON.parse(this.raw(i));
    } catch {
      v = undefined;
    }
    if (this.parsedCache.size > 256) this.parsedCache.clear();
    this.parsedCache.set(i, v);
    return v;
  }

  item(i: number): Item | undefined {
    const v = this.parse(i);
    if (v === undefined) return undefined;
    return normalize(v, this.format, { index: i, line: this.spans[i].line + 1, hash: '', key: `#${i}`, mapping: this.mapping });
  }

  /** Record index at a document offset, or -1. */
  recordAt(offset: number): number {
    return recordAt(this.layout.spans, offset);
  }
}

/** The file system path of a document URI (file: URIs), else the URI's path part. */
export function documentPath(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch {
      /* fall through */
    }
  }
  try {
    return decodeURIComponent(new URL(uri).pathname);
  } catch {
    return uri;
  }
}

/** Caches one model per document URI; a new version rebuilds it. */
export class DatasetModels {
  private models = new Map<string, DatasetModel>();
  mapping?: FieldMapping;

  get(doc: TextDocument): DatasetModel {
    const m = this.models.get(doc.uri);
    if (m && m.version === doc.version && m.doc === doc) return m;
    const next = new DatasetModel(doc, doc.getText(), documentPath(doc.uri), this.mapping);
    this.models.set(doc.uri, next);
    return next;
  }

  /** The model if it is current, without building one. */
  peek(doc: TextDocument): DatasetModel | undefined {
    const m = this.models.get(doc.uri);
    return m && m.version === doc.version ? m : undefined;
  }

  delete(uri: string): void {
    this.models.delete(uri);
  }
}
