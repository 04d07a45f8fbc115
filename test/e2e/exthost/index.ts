/**
 * Entry for mocha tests inside the real extension host (payload `extensionTestsPath`, see
 * ../harness.ts runExtensionTests). Runs every `*.spec.js` beside this file; add yours there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  const only = process.env.EXTHOST_SPEC;
  for (const f of fs.readdirSync(__dirname).sort()) {
    if (f.endsWith('.spec.js') && (!only || f.startsWith(only))) mocha.addFile(path.join(__dirname, f));
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}
