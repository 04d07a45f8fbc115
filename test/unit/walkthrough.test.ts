/**
 * The Getting Started walkthrough against the code: every step's media file exists, and every
 * `onContext:curator.walkthrough.<event>` completion event is one the extension sets somewhere
 * (`walkthroughEvent('<event>')`), so no step can stay unticked forever.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('Getting Started walkthrough', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const steps = pkg.contributes.walkthroughs[0].steps as { id: string; media: { markdown?: string }; completionEvents: string[] }[];
  const code = sources(path.join(ROOT, 'src', 'extension'))
    .map((f) => fs.readFileSync(f, 'utf8'))
    .join('\n');

  it('leads through review, correction, report, decision and export, in that order', () => {
    const ids = steps.map((s) => s.id);
    const order = ['review', 'correct', 'report', 'export'].map((id) => ids.indexOf(id));
    assert.ok(
      order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1])),
      `steps: ${ids.join(', ')}`,
    );
  });

  for (const s of steps)
    it(`step "${s.id}": its media exists and each context it completes on is set by the extension`, () => {
      if (s.media.markdown) assert.ok(fs.existsSync(path.join(ROOT, s.media.markdown)), s.media.markdown);
      for (const e of s.completionEvents) {
        const m = /^onContext:curator\.walkthrough\.(\w+)$/.exec(e);
        if (!m) continue;
        assert.ok(code.includes(`walkthroughEvent('${m[1]}')`), `nothing sets curator.walkthrough.${m[1]}`);
      }
    });
});
