// Mocha's spec reporter, plus closing lines that scripts/test.mjs reads:
//   "flaky: TITLE (passed on retry N)"  a test that failed and then passed on its retry
//   "skipped: TITLE"                      a pending / skipped test (a skipped test is not a pass)
'use strict';
const Mocha = require('mocha');
const { EVENT_TEST_PASS, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;

class CuratorReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const flaky = [];
    const skipped = [];
    runner.on(EVENT_TEST_PASS, (test) => {
      const retry = typeof test.currentRetry === 'function' ? test.currentRetry() : 0;
      if (retry > 0) flaky.push(`${test.fullTitle()} (passed on retry ${retry})`);
    });
    runner.on(EVENT_TEST_PENDING, (test) => skipped.push(test.fullTitle()));
    runner.once(EVENT_RUN_END, () => {
      for (const t of flaky) console.log(`flaky: ${t}`);
      for (const t of skipped) console.log(`skipped: ${t}`);
    });
  }
}

module.exports = CuratorReporter;
