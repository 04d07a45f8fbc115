/** Runs the mocha suites in test/e2e/exthost/ inside code-server's real extension host. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyWorkspace, REPO_ROOT, runExtensionTests } from './harness';

describe('extension-host tests (code-server)', function () {
  this.timeout(240_000);

  it('pass inside the real extension host', async function () {
    const ws = copyWorkspace(path.join(REPO_ROOT, 'demo'), 'exthost');
    try {
      const { code, output } = await runExtensionTests({
        workspace: ws,
        testsPath: path.join(REPO_ROOT, 'out', 'test', 'e2e', 'exthost', 'index.js'),
        settings: { 'curator.reviewer': 'exthost-reviewer', 'curator.suggestOpenWithCurator': false },
      });
      const lines = output.split('\n').filter((l) => /passing|failing|✔|✓|\d+\) |Error|figure:/.test(l));
      console.log(lines.join('\n'));
      assert.equal(code, 0, `extension-host tests failed:\n${output.slice(-6000)}`);
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });
});
