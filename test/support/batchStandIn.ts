/**
 * A local stand-in for the OpenAI Batch API (and `vllm run-batch`), for tests: it reads batch input
 * files, checks them the way the Batch API does (one JSON object per line, unique custom_id, POST to
 * /v1/chat/completions, at most 50,000 lines and 200 MB per file, no streaming), sends every body over
 * real HTTP to a local Chat Completions server, and writes the output file (2xx answers) and the error
 * file (non-2xx answers, and requests it was told to let expire) in the Batch API's line format.
 */
import * as fs from 'node:fs';

export interface StandInOptions {
  /** Base URL of the Chat Completions server that answers ("…/v1"). */
  baseURL: string;
  /** custom_ids that expire unanswered (an error line with response null). */
  expire?: (customId: string) => boolean;
}

export interface StandInRun {
  outputFile: string;
  errorFile: string;
  /** Input lines the stand-in refused (the Batch API fails a whole file for these). */
  invalid: string[];
  requests: number;
}

const MAX_LINES = 50_000;
const MAX_BYTES = 200 * 1024 * 1024;

export async function runBatchStandIn(inputFile: string, outputFile: string, errorFile: string, opts: StandInOptions): Promise<StandInRun> {
  const text = fs.readFileSync(inputFile, 'utf8');
  const invalid: string[] = [];
  if (Buffer.byteLength(text) > MAX_BYTES) invalid.push(`${inputFile}: larger than 200 MB`);
  const lines = text.split('\n').filter((l) => l.trim());
  if (lines.length > MAX_LINES) invalid.push(`${inputFile}: more than 50,000 requests`);
  const seen = new Set<string>();
  const out: string[] = [];
  const err: string[] = [];
  let n = 0;
  for (const [i, line] of lines.entries()) {
    let req: { custom_id?: unknown; method?: unknown; url?: unknown; body?: { stream?: unknown } };
    try {
      req = JSON.parse(line);
    } catch {
      invalid.push(`line ${i + 1}: not JSON`);
      continue;
    }
    const keys = Object.keys(req).sort().join(',');
    if (keys !== 'body,custom_id,method,url') invalid.push(`line ${i + 1}: fields ${keys}`);
    if (typeof req.custom_id !== 'string' || !req.custom_id) {
      invalid.push(`line ${i + 1}: custom_id`);
      continue;
    }
    if (seen.has(req.custom_id)) invalid.push(`line ${i + 1}: duplicate custom_id ${req.custom_id}`);
    seen.add(req.custom_id);
    if (req.method !== 'POST') invalid.push(`line ${i + 1}: method ${String(req.method)}`);
    if (req.url !== '/v1/chat/completions') invalid.push(`line ${i + 1}: url ${String(req.url)}`);
    if (!req.body || typeof req.body !== 'object') {
      invalid.push(`line ${i + 1}: body`);
      continue;
    }
    if (req.body.stream) invalid.push(`line ${i + 1}: streaming is not available in a batch`);
    const id = `batch_req_${String(++n).padStart(6, '0')}`;
    if (opts.expire?.(req.custom_id)) {
      err.push(
        JSON.stringify({
          id,
          custom_id: req.custom_id,
          response: null,
          error: { code: 'batch_expired', message: 'This request could not be executed before the completion window expired.' },
        }),
      );
      continue;
    }
    const res = await fetch(`${opts.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(req.body),
    });
    const bodyText = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(bodyText);
    } catch {
      body = { error: { message: bodyText } };
    }
    const outLine = JSON.stringify({ id, custom_id: req.custom_id, response: { status_code: res.status, request_id: `req_${n}`, body }, error: null });
    (res.ok ? out : err).push(outLine);
  }
  fs.writeFileSync(outputFile, out.map((l) => l + '\n').join(''));
  fs.writeFileSync(errorFile, err.map((l) => l + '\n').join(''));
  return { outputFile, errorFile, invalid, requests: lines.length };
}
