/**
 * OpenAI Batch files (ARCHITECTURE.md, "Running at scale"): the JSONL that the Batch API and
 * `vllm run-batch` read and write.
 *
 * Input lines:  {"custom_id", "method": "POST", "url": "/v1/chat/completions", "body"}
 * Output lines: {"id", "custom_id", "response": {"status_code", "request_id", "body"} | null, "error": {code, message} | null}
 *
 * The writer splits requests into files of at most 50,000 lines and 200 MB (the Batch API's limits);
 * the reader turns output lines into answers or per-request errors, reporting lines it cannot read
 * (file and line number) without stopping.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const BATCH_URL = '/v1/chat/completions';
/** The Batch API's limits on one input file. */
export const MAX_REQUESTS_PER_FILE = 50_000;
export const MAX_BYTES_PER_FILE = 200 * 1024 * 1024;

/** custom_id of a question about an item: the profile's slug, ":", the item key. */
export function customIdFor(profileSlug: string, itemKey: string): string {
  return `${profileSlug}:${itemKey}`;
}

/** Splits a custom_id made by customIdFor; undefined when it has no profile part. */
export function parseCustomId(id: string): { profile: string; key: string } | undefined {
  const i = id.indexOf(':');
  return i > 0 ? { profile: id.slice(0, i), key: id.slice(i + 1) } : undefined;
}

export interface BatchRequestLine {
  custom_id: string;
  method: 'POST';
  url: string;
  body: unknown;
}

export interface BatchWriterLimits {
  maxRequests?: number;
  maxBytes?: number;
}

export interface WrittenBatch {
  files: { file: string; requests: number; bytes: number }[];
  requests: number;
}

/** Writes batch input files `<prefix>-001.jsonl`, `<prefix>-002.jsonl`, … in a folder. */
export class BatchFileWriter {
  private readonly maxRequests: number;
  private readonly maxBytes: number;
  private readonly ids = new Set<string>();
  private fd: number | undefined;
  private readonly files: WrittenBatch['files'] = [];

  constructor(
    readonly dir: string,
    readonly prefix: string,
    limits: BatchWriterLimits = {},
  ) {
    this.maxRequests = limits.maxRequests ?? MAX_REQUESTS_PER_FILE;
    this.maxBytes = limits.maxBytes ?? MAX_BYTES_PER_FILE;
    fs.mkdirSync(dir, { recursive: true });
    // Files of an earlier export under the same prefix would be sent again: remove them.
    const stale = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d{3,}\\.jsonl$`);
    for (const f of fs.readdirSync(dir)) if (stale.test(f)) fs.rmSync(path.join(dir, f));
  }

  get requests(): number {
    return this.ids.size;
  }

  has(customId: string): boolean {
    return this.ids.has(customId);
  }

  /** Adds one request; throws when the id repeats or the line alone exceeds the size limit. */
  add(customId: string, body: unknown): void {
    if (this.ids.has(customId)) throw new Error(`custom_id "${customId}" is already in this batch`);
    const line: BatchRequestLine = { custom_id: customId, method: 'POST', url: BATCH_URL, body };
    const text = JSON.stringify(line) + '\n';
    const bytes = Buffer.byteLength(text);
    if (bytes > this.maxBytes)
      throw new Error(
        `the request for ${customId} is ${bytes} bytes, more than a batch file may hold (${this.maxBytes}); use --images square or a smaller --image-size`,
      );
    let cur = this.files[this.files.length - 1];
    if (this.fd === undefined || cur.requests >= this.maxRequests || cur.bytes + bytes > this.maxBytes) {
      if (this.fd !== undefined) fs.closeSync(this.fd);
      const file = path.join(this.dir, `${this.prefix}-${String(this.files.length + 1).padStart(3, '0')}.jsonl`);
      this.fd = fs.openSync(file, 'w');
      cur = { file, requests: 0, bytes: 0 };
      this.files.push(cur);
    }
    fs.writeSync(this.fd, text);
    cur.requests++;
    cur.bytes += bytes;
    this.ids.add(customId);
  }

  close(): WrittenBatch {
    if (this.fd !== undefined) {
      fs.fsyncSync(this.fd);
      fs.closeSync(this.fd);
      this.fd = undefined;
    }
    return { files: this.files.map((f) => ({ ...f })), requests: this.ids.size };
  }
}

export type BatchResult =
  | { customId: string; ok: true; text: string; finishReason: string | null; where: string }
  | { customId: string; ok: false; error: string; where: string };

export interface BatchReadProblem {
  /** "file:line" */
  where: string;
  message: string;
}

export interface BatchOutput {
  /** By custom_id; an answer wins over an error for the same id. */
  results: Map<string, BatchResult>;
  /** Lines that are not batch output lines at all. */
  problems: BatchReadProblem[];
  lines: number;
}

function errorText(e: unknown): string {
  if (e && typeof e === 'object') {
    const o = e as { code?: unknown; message?: unknown };
    const msg = typeof o.message === 'string' ? o.message : JSON.stringify(e);
    return typeof o.code === 'string' && o.code ? `${o.code}: ${msg}` : msg;
  }
  return String(e);
}

/** One output line to a result, or a problem message. */
export function parseOutputLine(line: string, where: string): BatchResult | string {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    return `not JSON (${(e as Error).message})`;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return 'not a batch output object';
  const o = v as { custom_id?: unknown; response?: unknown; error?: unknown };
  if (typeof o.custom_id !== 'string' || !o.custom_id) return 'field "custom_id" is missing';
  const customId = o.custom_id;
  if (o.error !== null && o.error !== undefined) return { customId, ok: false, error: errorText(o.error), where };
  const r = o.response as { status_code?: unknown; body?: unknown } | null | undefined;
  if (!r || typeof r !== 'object') return { customId, ok: false, error: 'no response and no error', where };
  const body = r.body as { error?: unknown; choices?: { message?: { content?: unknown }; finish_reason?: unknown }[] } | undefined;
  if (r.status_code !== 200) return { customId, ok: false, error: `HTTP ${String(r.status_code)}${body?.error ? ` ${errorText(body.error)}` : ''}`, where };
  const choice = Array.isArray(body?.choices) ? body!.choices[0] : undefined;
  const text = choice?.message?.content;
  if (typeof text !== 'string') return { customId, ok: false, error: 'response.body holds no choices[0].message.content', where };
  return { customId, ok: true, text, finishReason: typeof choice!.finish_reason === 'string' ? choice!.finish_reason : null, where };
}

/** Reads batch output (and error) files; never throws on a bad line. */
export function readBatchOutput(files: string[]): BatchOutput {
  const results = new Map<string, BatchResult>();
  const problems: BatchReadProblem[] = [];
  let lines = 0;
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (e) {
      problems.push({ where: file, message: `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` });
      continue;
    }
    const rows = text.split('\n');
    rows.forEach((line, i) => {
      if (!line.trim()) return;
      lines++;
      const where = `${file}:${i + 1}`;
      const r = parseOutputLine(line, where);
      if (typeof r === 'string') {
        problems.push({ where, message: r });
        return;
      }
      const prev = results.get(r.customId);
      if (prev && prev.ok && !r.ok) return;
      results.set(r.customId, r);
    });
  }
  return { results, problems, lines };
}
