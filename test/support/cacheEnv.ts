/**
 * Keeps the user's index cache out of a test: XDG_CACHE_HOME points into the test's folder and the
 * cache-folder variables are unset, until the returned function puts them back.
 */
import * as path from 'node:path';

const VARS = ['XDG_CACHE_HOME', 'COCURATE_CACHE_DIR', 'COCURATE_NO_CACHE'] as const;

export function isolateCacheEnv(dir: string): () => void {
  const saved = VARS.map((k) => [k, process.env[k]] as const);
  process.env.XDG_CACHE_HOME = path.join(dir, 'xdg');
  delete process.env.COCURATE_CACHE_DIR;
  delete process.env.COCURATE_NO_CACHE;
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}
