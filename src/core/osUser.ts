/** The OS user's name, for "created by" and reviewer defaults; `fallback` when the OS will not say. */
import * as os from 'node:os';

export function osUserName(fallback = 'unknown'): string {
  try {
    return os.userInfo().username || fallback;
  } catch {
    return process.env.USER || fallback;
  }
}
