// `npm run test:desktop`: the same integration suites in DESKTOP VS Code, for a machine with
// internet. @vscode/test-electron downloads VS Code (or VSCODE_EXECUTABLE names an installed one),
// the packaged .vsix is installed into a fresh extensions dir, and Playwright's Electron driver
// opens the window so the suites get the same driver API (screenshots, DOM text) as under
// code-server. It cannot run in the offline CI here (no VS Code download); see README.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDriverApi } from './runIntegration.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const vsix = join(root, `${pkg.name}-${pkg.version}.vsix`);
const suites = JSON.parse(readFileSync(join(root, 'test', 'integration', 'suites.json'), 'utf8'));

if (!existsSync(vsix)) {
  const r = spawnSync('npm', ['run', 'package'], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(1);
}
const { downloadAndUnzipVSCode, resolveCliArgsFromVSCodeExecutablePath } = await import('@vscode/test-electron');
const { _electron } = await import('playwright-core');
const executable = process.env.VSCODE_EXECUTABLE ?? await downloadAndUnzipVSCode('1.101.0');

const totals = { passed: 0, failed: 0 };
for (const suite of suites) {
  const runDir = mkdtempSync(join(root, '.tandem-test', `desktop-${suite.name}-`));
  const userData = join(runDir, 'user-data');
  const extDir = join(runDir, 'extensions');
  const workspace = join(runDir, 'workspace');
  mkdirSync(join(userData, 'User'), { recursive: true });
  cpSync(join(root, 'test', 'integration', 'workspaces', suite.workspace), workspace, { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({
    'security.workspace.trust.enabled': suite.trusted === false, 'workbench.startupEditor': 'none', ...(suite.userSettings ?? {}),
  }));
  const [cli, ...cliArgs] = resolveCliArgsFromVSCodeExecutablePath(executable);
  spawnSync(cli, [...cliArgs, '--extensions-dir', extDir, '--user-data-dir', userData, '--install-extension', vsix], { stdio: 'inherit', shell: process.platform === 'win32' });

  let page;
  const driver = await startDriverApi(() => page);
  const resultsFile = join(runDir, 'results.json');
  const app = await _electron.launch({
    executablePath: executable,
    args: [workspace, '--extensions-dir', extDir, '--user-data-dir', userData, '--disable-updates', '--skip-welcome',
      '--skip-release-notes', ...(suite.trusted === false ? [] : ['--disable-workspace-trust']), '--enable-smoke-test-driver',
      `--extensionDevelopmentPath=${join(root, 'test', 'integration', 'hostExtension')}`,
      `--extensionTestsPath=${join(root, 'out', 'integration', 'index.js')}`],
    env: {
      ...process.env, TANDEM_RESULTS_FILE: resultsFile, TANDEM_SUITE: suite.name, TANDEM_WORKSPACE: workspace,
      TANDEM_DRIVER_URL: `http://127.0.0.1:${driver.address().port}`, TANDEM_TEST_RESULTS_DIR: join(root, 'test-results'),
    },
  });
  page = await app.firstWindow();
  await new Promise((r) => app.process().once('exit', r));
  driver.close();
  const c = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : { passed: 0, failed: 1 };
  console.log(`[desktop] ${suite.name}: ${c.passed} passed, ${c.failed} failed`);
  totals.passed += c.passed;
  totals.failed += c.failed;
}
console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed === 0 && totals.passed > 0 ? 0 : 1);
