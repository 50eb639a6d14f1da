// `npm test`: builds and packages the .vsix, runs the unit tests (plain mocha over src/core), then
// the integration suites inside a real VS Code with the packaged extension installed, and ends with
// the one line CI reads: `N passed, N failed` over everything that ran. Running no test is a failure.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runIntegration } from './runIntegration.mjs';

const totals = { passed: 0, failed: 0 };
const phases = [];

function npm(args) {
  const r = spawnSync('npm', args, { stdio: 'inherit' });
  return r.status === 0;
}

// 1. Build and package: a broken build or package is one failure, and nothing else can run.
if (!npm(['run', 'package'])) {
  console.log('Build or packaging failed.');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

// 2. Unit tests.
const countsFile = join(mkdtempSync(join(tmpdir(), 'tandem-unit-')), 'counts.json');
const unit = spawnSync('npx', ['mocha'], { stdio: 'inherit', env: { ...process.env, TANDEM_COUNTS_FILE: countsFile } });
if (existsSync(countsFile)) {
  const c = JSON.parse(readFileSync(countsFile, 'utf8'));
  totals.passed += c.passed;
  totals.failed += c.failed;
  phases.push(`unit: ${c.passed} passed, ${c.failed} failed`);
} else {
  totals.failed += 1;
  phases.push(`unit: did not run (exit ${unit.status})`);
}

// 3. Integration suites in code-server.
try {
  const c = await runIntegration();
  totals.passed += c.passed;
  totals.failed += c.failed;
  phases.push(`integration: ${c.passed} passed, ${c.failed} failed`);
  if (c.passed + c.failed === 0) {
    totals.failed += 1;
    phases.push('integration: ran no test');
  }
} catch (e) {
  totals.failed += 1;
  phases.push(`integration: did not run (${e.message})`);
}

console.log('\n' + phases.join('\n'));
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed === 0 && totals.passed > 0 ? 0 : 1);
