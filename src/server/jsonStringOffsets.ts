/**
 * Maps between positions in a decoded JSON string value and positions in its source literal
 * (quotes and escapes included), so edits computed on the value land exactly in the document.
 */

/**
 * Offset inside the literal `"…"` (as written in the file, quotes included) that corresponds to
 * `decodedOffset` in the decoded string.
 */
export function decodedToRawOffset(literal: string, decodedOffset: number): number {
  let raw = literal.startsWith('"') ? 1 : 0;
  let decoded = 0;
  while (decoded < decodedOffset && raw < literal.length) {
    if (literal[raw] === '\\') {
      raw += literal[raw + 1] === 'u' ? 6 : 2;
    } else raw += 1;
    decoded += 1;
  }
  return raw;
}
