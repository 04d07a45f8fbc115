/**
 * src/protocol.ts has no imports (it compiles for Node and the browser), so it restates two core
 * unions. These checks make tsc fail when either side changes alone.
 */
import * as assert from 'node:assert/strict';
import type * as P from '../../src/protocol';
import type { ReportFormat } from '../../src/core/report/render';
import { REPORT_FORMATS } from '../../src/core/report/render';
import type { DecisionValue } from '../../src/core/decisions';
import type { ReviewReason } from '../../src/core/reviewReasons';
import type { VerdictValue } from '../../src/core/verdicts';

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const verdictsAgree: Same<P.Verdict, VerdictValue> = true;
const formatsAgree: Same<P.ReportFormat, ReportFormat> = true;
const reasonsAgree: Same<P.ReviewReason, ReviewReason> = true;
const decisionsAgree: Same<P.DecisionValue, DecisionValue> = true;

describe('protocol types restate core', () => {
  it('verdicts and report formats are the same unions on both sides', () => {
    assert.ok(verdictsAgree && formatsAgree && reasonsAgree && decisionsAgree);
    const all: P.ReportFormat[] = [...REPORT_FORMATS];
    assert.deepEqual([...all].sort(), ['csv', 'html', 'json', 'md']);
  });
});
