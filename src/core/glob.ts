/**
 * Glob patterns as used in settings ("**\/data/*.jsonl", "*.{json,jsonl}"): `**` any folders,
 * `*` any characters but "/", `?` one character, `{a,b}` alternatives, `[abc]` classes.
 * A pattern without "/" matches the file's base name anywhere (like .gitignore).
 */

const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string): RegExp {
  const hit = cache.get(glob);
  if (hit) return hit;
  let re = '';
  let inClass = false;
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (inClass) {
      if (c === ']') inClass = false;
      re += c === '\\' ? '\\\\' : c;
      continue;
    }
    switch (c) {
      case '*':
        if (glob[i + 1] === '*') {
          // "**/" matches zero or more folders; a trailing "**" matches everything.
          i++;
          if (glob[i + 1] === '/') {
            i++;
            re += '(?:[^/]*/)*';
          } else re += '.*';
        } else re += '[^/]*';
        break;
      case '?':
        re += '[^/]';
        break;
      case '[':
        inClass = true;
        re += '[';
        if (glob[i + 1] === '!') {
          re += '^';
          i++;
        }
        break;
      case '{':
        braces++;
        re += '(?:';
        break;
      case '}':
        if (braces > 0) {
          braces--;
          re += ')';
        } else re += '\\}';
        break;
      case ',':
        re += braces > 0 ? '|' : ',';
        break;
      default:
        re += c.replace(/[.+^$()|\\]/g, '\\$&');
    }
  }
  const rx = new RegExp(`^${re}$`);
  cache.set(glob, rx);
  return rx;
}

/** Does `filePath` (absolute or relative, any separators) match one of the globs? */
export function matchesGlob(filePath: string, globs: readonly string[]): boolean {
  const p = filePath.replace(/\\/g, '/');
  const base = p.slice(p.lastIndexOf('/') + 1);
  for (const g of globs) {
    if (!g) continue;
    const pattern = g.replace(/\\/g, '/');
    const rx = globToRegExp(pattern);
    if (!pattern.includes('/')) {
      if (rx.test(base)) return true;
    } else if (rx.test(p) || (!pattern.startsWith('/') && globToRegExp(`**/${pattern}`).test(p))) return true;
  }
  return false;
}
