/**
 * A JSON grammar check without building values or throwing: the position and reason of the first
 * fault, or null for valid JSON (the same verdict as JSON.parse). Used where JSON.parse's answer is
 * too costly or too vague: on short records, where a thrown SyntaxError costs more than parsing
 * (a file of a million one-byte garbage lines must not cost more than good data), and to name the
 * exact column of a fault that JSON.parse reports without a position. Iterative, so nesting depth
 * costs no stack.
 */

export interface JsonFault {
  /** UTF-16 offset of the fault in the text. */
  pos: number;
  message: string;
}

export function jsonSyntaxError(s: string): JsonFault | null {
  const n = s.length;
  let p = 0;
  const stack: number[] = []; // 0: inside an array, 1: inside an object
  const ws = (): void => {
    while (p < n) {
      const c = s.charCodeAt(p);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) p++;
      else break;
    }
  };
  const fault = (message?: string): JsonFault =>
    p >= n ? { pos: n, message: 'Unexpected end of JSON input' } : { pos: p, message: message ?? `Unexpected token '${s[p]}'` };
  const str = (): JsonFault | null => {
    p++; // opening quote
    for (;;) {
      if (p >= n) return { pos: n, message: 'Unterminated string in JSON' };
      const c = s.charCodeAt(p);
      if (c === 0x22) {
        p++;
        return null;
      }
      if (c < 0x20) return { pos: p, message: 'Bad control character in string literal' };
      if (c === 0x5c) {
        p++;
        if (p >= n) return { pos: n, message: 'Unterminated string in JSON' };
        const e = s.charCodeAt(p);
        if (e === 0x75) {
          for (let k = 1; k <= 4; k++) {
            const h = p + k < n ? s.charCodeAt(p + k) : -1;
            const hex = (h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66);
            if (!hex) return { pos: Math.min(p + k, n), message: 'Bad Unicode escape' };
          }
          p += 5;
          continue;
        }
        if (e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
          p++;
          continue;
        }
        return { pos: p, message: 'Bad escaped character' };
      }
      p++;
    }
  };
  const digits = (): number => {
    const from = p;
    while (p < n) {
      const c = s.charCodeAt(p);
      if (c >= 0x30 && c <= 0x39) p++;
      else break;
    }
    return p - from;
  };
  const num = (): JsonFault | null => {
    if (s.charCodeAt(p) === 0x2d) {
      p++;
      const c = p < n ? s.charCodeAt(p) : -1;
      if (!(c >= 0x30 && c <= 0x39)) return fault('No number after minus sign in JSON');
    }
    if (s.charCodeAt(p) === 0x30) p++;
    else digits();
    if (p < n && s.charCodeAt(p) === 0x2e) {
      p++;
      if (digits() === 0) return fault('Unterminated fractional number in JSON');
    }
    if (p < n && (s.charCodeAt(p) === 0x65 || s.charCodeAt(p) === 0x45)) {
      p++;
      if (p < n && (s.charCodeAt(p) === 0x2b || s.charCodeAt(p) === 0x2d)) p++;
      if (digits() === 0) return fault('Exponent part is missing a number in JSON');
    }
    return null;
  };
  /** After a `{` or `,` in an object: a key and its colon. */
  const key = (first: boolean): JsonFault | null => {
    ws();
    if (p >= n) return fault();
    if (s.charCodeAt(p) !== 0x22) return fault(first ? "Expected property name or '}' in JSON" : 'Expected double-quoted property name in JSON');
    const e = str();
    if (e) return e;
    ws();
    if (p >= n) return fault();
    if (s.charCodeAt(p) !== 0x3a) return fault("Expected ':' after property name in JSON");
    p++;
    return null;
  };

  for (;;) {
    // A value.
    ws();
    if (p >= n) return fault();
    const c = s.charCodeAt(p);
    if (c === 0x7b) {
      p++;
      ws();
      if (p < n && s.charCodeAt(p) === 0x7d) p++;
      else {
        stack.push(1);
        const e = key(true);
        if (e) return e;
        continue;
      }
    } else if (c === 0x5b) {
      p++;
      ws();
      if (p < n && s.charCodeAt(p) === 0x5d) p++;
      else {
        stack.push(0);
        continue;
      }
    } else if (c === 0x22) {
      const e = str();
      if (e) return e;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      const e = num();
      if (e) return e;
    } else if (s.startsWith('true', p)) p += 4;
    else if (s.startsWith('false', p)) p += 5;
    else if (s.startsWith('null', p)) p += 4;
    else return fault();
    // After a value: close containers until a separator asks for the next value.
    for (;;) {
      ws();
      if (stack.length === 0) return p < n ? fault('Unexpected non-whitespace character after JSON') : null;
      if (p >= n) return fault();
      const d = s.charCodeAt(p);
      const top = stack[stack.length - 1];
      if (d === 0x2c) {
        p++;
        if (top === 1) {
          const e = key(false);
          if (e) return e;
        }
        break;
      }
      if ((top === 0 && d === 0x5d) || (top === 1 && d === 0x7d)) {
        p++;
        stack.pop();
        continue;
      }
      return fault(top === 0 ? "Expected ',' or ']' after array element in JSON" : "Expected ',' or '}' after property value in JSON");
    }
  }
}

/**
 * Nesting depth check on a parsed value: true when arrays and objects nest more than `max` levels
 * (the value itself is level 1). Recursion stops at `max`, so the stack stays bounded; no allocation.
 */
export function nestedDeeperThan(value: unknown, max: number, depth = 1): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (depth > max) return true;
  if (Array.isArray(value)) {
    for (let k = 0; k < value.length; k++) {
      const c: unknown = value[k];
      if (c !== null && typeof c === 'object' && nestedDeeperThan(c, max, depth + 1)) return true;
    }
  } else {
    for (const k in value) {
      const c = (value as Record<string, unknown>)[k];
      if (c !== null && typeof c === 'object' && nestedDeeperThan(c, max, depth + 1)) return true;
    }
  }
  return false;
}

/** UTF-16 offset in `s` where array/object nesting first exceeds `max` levels, or -1. */
export function depthExceededAt(s: string, max: number): number {
  let depth = 0;
  let inString = false;
  for (let p = 0; p < s.length; p++) {
    const c = s.charCodeAt(p);
    if (inString) {
      if (c === 0x5c) p++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return p;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}
