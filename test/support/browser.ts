/**
 * The Chromium the browser tests drive: $CHROMIUM, else the first of chromium, chromium-browser,
 * google-chrome on PATH (scripts/test.mjs installs Debian's chromium when it can and passes CHROMIUM).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const NAMES = ['chromium', 'chromium-browser', 'google-chrome'];

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      // not in this PATH entry
    }
  }
  return undefined;
}

/** The browser's path; throws naming what was looked for when there is none. */
export function chromiumPath(): string {
  const env = process.env.CHROMIUM;
  if (env) {
    if (!fs.existsSync(env)) throw new Error(`CHROMIUM=${env} does not exist`);
    return env;
  }
  for (const name of NAMES) {
    const p = onPath(name);
    if (p) return p;
  }
  throw new Error(`no Chromium: set CHROMIUM or put one of ${NAMES.join(', ')} on PATH (apt-get install chromium)`);
}

/** Flags for headless Chromium on this kind of machine: root (no sandbox), no GPU, no network chatter. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_ARGS });
}
