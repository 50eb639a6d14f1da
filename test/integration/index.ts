// The test runner VS Code loads from the payload's extensionTestsPath (see scripts/runIntegration.mjs).
// It runs the compiled suites of TANDEM_SUITE with mocha inside the extension host and writes the
// counts where the driver reads them.
import * as path from 'node:path';
import * as fs from 'node:fs';

export async function run(): Promise<void> {
  // Resolved at run time from the repository's node_modules (this file lives in out/integration).
  const Mocha = require('mocha');
  process.env.TANDEM_COUNTS_FILE = process.env.TANDEM_RESULTS_FILE;
  const reporter = path.resolve(__dirname, '..', '..', 'test', 'support', 'countingReporter.js');
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter });
  const dir = path.join(__dirname, 'suites', process.env.TANDEM_SUITE ?? '');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort();
  if (files.length === 0) throw new Error(`no test files in ${dir}`);
  for (const f of files) mocha.addFile(path.join(dir, f));
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures: number) => (failures ? reject(new Error(`${failures} tests failed`)) : resolve()));
  });
}
