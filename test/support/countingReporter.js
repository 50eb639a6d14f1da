// Mocha's spec output plus the plain closing line CI reads ("N passed, N failed"), and the counts
// written to a file when TANDEM_COUNTS_FILE is set so scripts/test.mjs can add up all suites.
'use strict';
const Mocha = require('mocha');
const fs = require('node:fs');

class CountingReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let passed = 0;
    let failed = 0;
    runner.on('pass', () => { passed++; });
    runner.on('fail', () => { failed++; });
    runner.once('end', () => {
      if (process.env.TANDEM_COUNTS_FILE) {
        fs.writeFileSync(process.env.TANDEM_COUNTS_FILE, JSON.stringify({ passed, failed }));
      }
      console.log(`${passed} passed, ${failed} failed`);
    });
  }
}
module.exports = CountingReporter;
