/**
 * Where the records of an editor document are, in the document's own units (UTF-16 offsets), so
 * that problems found inside a record map to exact editor ranges. Built on the core record index
 * (which works in bytes) with a single forward pass that converts byte offsets to string offsets.
 */
import { indexBuffer, type Container } from '../core/recordIndex';

export interface RecordSpan {
  /** UTF-16 offset of the record's first character in the document. */
  start: number;
  /** UTF-16 offset one past its last character. */
  end: number;
  /** 0-based line where it starts. */
  line: number;
}

export interface StructureError {
  /** UTF-16 offset of the fault. */
  offset: number;
  /** Record index the fault belongs to. */
  index: number;
  message: string;
}

export interface RecordLayout {
  container: Container;
  spans: RecordSpan[];
  errors: StructureError[];
}

/** Indexes the records of `text`. JSONL is split directly on newlines (no byte conversion needed). */
export function recordLayout(text: string, fileName: string, container?: Container): RecordLayout {
  if (container === 'jsonl' || (!container && /\.(jsonl|ndjson)$/i.test(fileName))) return jsonlLayout(text);
  const data = Buffer.from(text, 'utf8');
  const index = indexBuffer(data, { fileName, container });
  if (index.container === 'jsonl') return jsonlLayout(text);
  const toChar = byteToCharConverter(text, data.length);
  const spans: RecordSpan[] = new Array(index.count);
  for (let i = 0; i < index.count; i++) {
    spans[i] = { start: toChar(index.start(i)), end: toChar(index.end(i)), line: index.line(i) - 1 };
  }
  // Errors may lie before the last record's offsets; convert them with a fresh converter.
  const toCharErr = byteToCharConverter(text, data.length);
  const errors = [...index.errors]
    .sort((a, b) => a.offset - b.offset)
    .map((e) => ({ offset: toCharErr(Math.min(e.offset, data.length)), index: e.index, message: e.message }));
  return { container: index.container, spans, errors };
}

function jsonlLayout(text: string): RecordLayout {
  const spans: RecordSpan[] = [];
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 0;
  while (pos <= text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl === -1) nl = text.length;
    let a = pos,
      b = nl;
    while (a < b && isWs(text.charCodeAt(a))) a++;
    while (b > a && isWs(text.charCodeAt(b - 1))) b--;
    if (a < b) spans.push({ start: a, end: b, line });
    line++;
    pos = nl + 1;
  }
  return { container: 'jsonl', spans, errors: [] };
}

const isWs = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;

/**
 * Converts increasing byte offsets to UTF-16 offsets in one forward pass. When the text is ASCII
 * (bytes == characters) the conversion is the identity.
 */
function byteToCharConverter(text: string, byteLength: number): (byte: number) => number {
  if (byteLength === text.length) return (b) => b;
  let byte = 0;
  let ch = 0;
  return (target) => {
    if (target < byte) {
      byte = 0;
      ch = 0;
    }
    while (byte < target && ch < text.length) {
      const c = text.charCodeAt(ch);
      if (c < 0x80) {
        byte += 1;
        ch += 1;
      } else if (c < 0x800) {
        byte += 2;
        ch += 1;
      } else if (c >= 0xd800 && c <= 0xdbff && ch + 1 < text.length) {
        byte += 4;
        ch += 2;
      } else {
        byte += 3;
        ch += 1;
      }
    }
    return ch;
  };
}

/** Index of the record containing (or nearest before) a document offset; -1 when none. */
export function recordAt(spans: RecordSpan[], offset: number): number {
  let lo = 0,
    hi = spans.length - 1,
    found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid].start <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found >= 0 && offset <= spans[found].end) return found;
  return -1;
}
