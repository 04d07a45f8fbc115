/**
 * The one redaction helper (ARCHITECTURE.md, endpoints): API keys never reach a message, log or
 * file. Servers echo request headers in error bodies and users put keys in URLs, so text crossing a
 * boundary (client errors, agreement files, CLI output) passes through here: the known keys, any
 * "Bearer …" credential, key-like URL query parameters, user:password in URLs, and OpenAI-style
 * "sk-…" tokens become [REDACTED].
 */

export const REDACTED = '[REDACTED]';

const BEARER = /\b(Bearer|Basic|Token)(\s+|%20|\+)[^\s"'`,;<>)\]}\\]+/gi;
const QUERY =
  /([?&;](?:api[_-]?key|apikey|key|token|access[_-]?token|auth|authorization|password|passwd|secret|client[_-]?secret|sig|signature)=)[^&#\s"'`<>]+/gi;
const USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s:@"'`]+:[^/\s@"'`]+@/gi;
const SK_TOKEN = /\bsk-[A-Za-z0-9_-]{16,}/g;
const HEADER = /(\b(?:x-api-key|api-key|authorization)["']?\s*[:=]\s*["']?)(?!Bearer\b|Basic\b|Token\b)[^\s"',;]+/gi;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Forms a known secret may take in text: as is, URL-encoded, JSON-escaped. */
function forms(secret: string): string[] {
  const out = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
  return [...out].filter((s) => s.length > 0);
}

/**
 * `text` with secrets removed. `secrets` are exact values to remove (keys shorter than 4 characters
 * are ignored: they would blank ordinary words). With `patterns: false`, only the known secrets go
 * (for record text and model answers, where "Bearer …" may be data).
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = [], opts: { patterns?: boolean } = {}): string {
  let t = text;
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    for (const f of forms(s)) t = t.replace(new RegExp(escapeRegExp(f), 'g'), REDACTED);
  }
  if (opts.patterns === false) return t;
  return t
    .replace(BEARER, (_m, scheme: string, sp: string) => `${scheme}${sp}${REDACTED}`)
    .replace(HEADER, (_m, head: string) => `${head}${REDACTED}`)
    .replace(QUERY, (_m, head: string) => `${head}${REDACTED}`)
    .replace(USERINFO, (_m, scheme: string) => `${scheme}${REDACTED}@`)
    .replace(SK_TOKEN, REDACTED);
}

/** Keys a process may hold in its environment (the CLI's and the build's sources). */
export function envSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  return ['COCURATE_API_KEY', 'OPENAI_API_KEY'].map((k) => env[k]?.trim()).filter((v): v is string => !!v);
}

/**
 * Redacts known secrets in text that arrives in pieces (a streamed answer): a key split across two
 * pieces is still caught. `push` returns what can be shown now — everything but a tail that could
 * still grow into a secret — and `flush` returns that tail once the stream ends. What comes out,
 * joined, equals `redactSecrets(whole text, secrets, { patterns: false })`.
 */
export class StreamRedactor {
  private held = '';
  private readonly forms: string[];

  constructor(private readonly secrets: readonly (string | undefined)[]) {
    this.forms = secrets.filter((s): s is string => !!s && s.length >= 4).flatMap(forms);
  }

  push(piece: string): string {
    const text = redactSecrets(this.held + piece, this.secrets, { patterns: false });
    const keep = this.possibleStart(text);
    this.held = text.slice(text.length - keep);
    return text.slice(0, text.length - keep);
  }

  flush(): string {
    const rest = this.held;
    this.held = '';
    return rest;
  }

  /** Length of the longest tail of `text` that is a proper prefix of a secret's form. */
  private possibleStart(text: string): number {
    let best = 0;
    for (const f of this.forms) {
      for (let k = Math.min(f.length - 1, text.length); k > best; k--) {
        if (text.endsWith(f.slice(0, k))) {
          best = k;
          break;
        }
      }
    }
    return best;
  }
}
