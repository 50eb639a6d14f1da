// Runs the integration suites inside a real VS Code: code-server 4.139.1 (VS Code 1.139.1, Node 24
// extension host) driven by Debian Chromium through playwright-core, with Tandem INSTALLED FROM THE
// PACKAGED .vsix. The recipe is in shared/docs/real-vscode-tests.md. Each suite gets a fresh
// code-server (fresh user data, extensions dir and workspace) so that no state leaks between them.
//
// The suites run in the extension host; this driver serves them a small loopback API so they can
// look at what a person sees: screenshots, DOM text (status bar, notifications, ghost text).
import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdirSync, mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync, cpSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTestHost } from './ensureTestHost.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const vsix = join(root, `${pkg.name}-${pkg.version}.vsix`);
const resultsDir = join(root, 'test-results');
const SUITE_TIMEOUT_MS = 600_000;

/** Each suite: a compiled mocha file set, its workspace, whether the workspace is trusted. */
const SUITES = JSON.parse(readFileSync(join(root, 'test', 'integration', 'suites.json'), 'utf8'));

function log(...a) { console.log('[integration]', ...a); }

/** Workbench chatter unrelated to Tandem (built-in chat and GitHub features with no network here). */
const NOISE = /^\s*(\[(AgentHost|AgentHost:remote|AccountPolicyGate|ChatModelSelection|ChatSessions?|CopilotChat)\]|Resolving connection token|Resolved connection token|Creating a socket|No signed-in session|Ignoring fetching additional builtin extensions)/;

/** The extension host forwards console calls as (format, ...args): apply %s/%d like console.log. */
function formatLogArgs(args) {
  if (typeof args[0] !== 'string') return args.map(String).join(' ');
  let i = 1;
  const head = args[0].replace(/%[sdifoOj%]/g, (m) => (m === '%%' ? '%' : i < args.length ? String(args[i++]) : m));
  return [head, ...args.slice(i).map(String)].join(' ');
}

export async function freePort() {
  const srv = createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const port = srv.address().port;
  await new Promise((r) => srv.close(r));
  return port;
}

export async function waitForHealthz(port, deadlineMs) {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not come up on port ${port}`);
}

/** The loopback API the suites call from the extension host (see test/integration/support/driver.ts). */
export async function startDriverApi(getPage) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const page = getPage();
    try {
      if (!page) throw new Error('no page');
      let body;
      if (url.pathname === '/screenshot') {
        const name = (url.searchParams.get('name') || 'shot').replace(/[^\w.-]/g, '_');
        const file = join(resultsDir, `${name}.png`);
        await page.screenshot({ path: file });
        body = { file };
      } else if (url.pathname === '/query') {
        const selector = url.searchParams.get('selector');
        body = await page.$$eval(selector, (els) => els.map((e) => ({
          text: e.textContent ?? '',
          aria: e.getAttribute('aria-label') ?? '',
          id: e.id ?? '',
          className: typeof e.className === 'string' ? e.className : '',
        })));
      } else if (url.pathname === '/queryFrames') {
        // Like /query, but in every frame too: webviews (the spend view) render inside iframes.
        const selector = url.searchParams.get('selector');
        body = [];
        for (const frame of page.frames()) {
          const found = await frame.$$eval(selector, (els) => els.map((e) => ({
            text: e.textContent ?? '',
            aria: e.getAttribute('aria-label') ?? '',
            id: e.id ?? '',
            className: typeof e.className === 'string' ? e.className : '',
            href: e.getAttribute('href') ?? '',
          }))).catch(() => []);
          body.push(...found);
        }
      } else if (url.pathname === '/click') {
        await page.click(url.searchParams.get('selector'), { timeout: 10_000 });
        body = { ok: true };
      } else if (url.pathname === '/type') {
        await page.keyboard.type(url.searchParams.get('text') ?? '', { delay: 20 });
        body = { ok: true };
      } else if (url.pathname === '/press') {
        await page.keyboard.press(url.searchParams.get('key'));
        body = { ok: true };
      } else {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    } catch (e) {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: String(e?.message ?? e) }));
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return server;
}

async function runSuite(host, suite, chromium) {
  const runDir = mkdtempSync(join(root, '.tandem-test', `${suite.name}-`));
  const userData = join(runDir, 'user-data');
  const extDir = join(runDir, 'extensions');
  const xdg = join(runDir, 'xdg');
  const workspace = join(runDir, 'workspace');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extDir, { recursive: true });
  mkdirSync(xdg, { recursive: true });
  cpSync(join(root, 'test', 'integration', 'workspaces', suite.workspace), workspace, { recursive: true });
  writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'security.workspace.trust.enabled': suite.trusted === false,
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.untrustedFiles': 'open',
    'editor.inlineSuggest.enabled': true,
    ...(suite.userSettings ?? {}),
  }, null, 2));

  const env = { ...process.env, EXTENSIONS_GALLERY: '{}', XDG_CONFIG_HOME: xdg, XDG_DATA_HOME: join(runDir, 'xdg-data') };
  execFileSync(host.nodeBin, [host.codeServerEntry, '--extensions-dir', extDir, '--user-data-dir', userData, '--install-extension', vsix], { env, stdio: 'pipe' });
  const listed = execFileSync(host.nodeBin, [host.codeServerEntry, '--extensions-dir', extDir, '--user-data-dir', userData, '--list-extensions', '--show-versions'], { env }).toString();
  if (!listed.includes(`${pkg.publisher}.${pkg.name}@${pkg.version}`)) throw new Error(`vsix not installed: ${listed}`);
  log(`${suite.name}: installed ${listed.trim()}`);

  const port = await freePort();
  const args = [host.codeServerEntry, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--user-data-dir', userData, '--extensions-dir', extDir, '--disable-telemetry', '--disable-update-check',
    '--ignore-last-opened', '--vscode-option', 'enable-smoke-test-driver'];
  if (suite.trusted !== false) args.push('--disable-workspace-trust');
  const server = spawn(host.nodeBin, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let serverLog = '';
  server.stdout.on('data', (d) => { serverLog += d; });
  server.stderr.on('data', (d) => { serverLog += d; });

  let page;
  const driverApi = await startDriverApi(() => page);
  const resultsFile = join(runDir, 'results.json');
  let browser;
  try {
    await waitForHealthz(port, 60_000);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    page = await context.newPage();
    let exitCode;
    const exited = new Promise((r) => { page.exposeFunction('codeAutomationExit', (code) => { exitCode = code; r(); }); });
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = formatLogArgs(Array.isArray(args) ? args : [args]);
      if (!/^\s*$/.test(line) && !NOISE.test(line)) console.log(`  ${line.replace(/\n$/, '')}`);
    });
    const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
    const extensionEnvironment = JSON.stringify({
      TANDEM_RESULTS_FILE: resultsFile,
      TANDEM_DRIVER_URL: `http://127.0.0.1:${driverApi.address().port}`,
      TANDEM_SUITE: suite.name,
      TANDEM_WORKSPACE: workspace,
      TANDEM_TEST_RESULTS_DIR: resultsDir,
      TANDEM_USER_SETTINGS: join(userData, 'User', 'settings.json'),
    });
    const payload = [
      ['extensionDevelopmentPath', remote(join(root, 'test', 'integration', 'hostExtension'))],
      ['extensionTestsPath', remote(join(root, 'out', 'integration', 'index.js'))],
      ['extensionEnvironment', extensionEnvironment],
    ];
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    await page.goto(url);
    const timedOut = new Promise((r) => setTimeout(() => r('timeout'), SUITE_TIMEOUT_MS).unref());
    if (await Promise.race([exited, timedOut]) === 'timeout') {
      await page.screenshot({ path: join(resultsDir, `${suite.name}-timeout.png`) }).catch(() => {});
      throw new Error(`suite ${suite.name} timed out after ${SUITE_TIMEOUT_MS} ms`);
    }
    if (!existsSync(resultsFile)) throw new Error(`suite ${suite.name} wrote no results (exit code ${exitCode})`);
    const counts = JSON.parse(readFileSync(resultsFile, 'utf8'));
    log(`${suite.name}: ${counts.passed} passed, ${counts.failed} failed (exit code ${exitCode})`);
    return counts;
  } catch (e) {
    log(`${suite.name}: FAILED TO RUN: ${e.message}`);
    log(serverLog.split('\n').slice(-30).join('\n'));
    return { passed: 0, failed: 1 };
  } finally {
    await browser?.close().catch(() => {});
    driverApi.close();
    try { process.kill(-server.pid, 'SIGTERM'); } catch { /* already gone */ }
    // After code-server goes, its extension host lives a few seconds more (real-vscode-tests.md).
    await new Promise((r) => setTimeout(r, 1500));
    try { process.kill(-server.pid, 'SIGKILL'); } catch { /* gone */ }
    if (!process.env.TANDEM_KEEP_RUNS) rmSync(runDir, { recursive: true, force: true, maxRetries: 5 });
  }
}

export async function runIntegration(only) {
  const host = ensureTestHost();
  if (!existsSync(vsix)) throw new Error(`${vsix} missing: run npm run package first`);
  mkdirSync(join(root, '.tandem-test'), { recursive: true });
  mkdirSync(resultsDir, { recursive: true });
  const { chromium } = await import('playwright-core');
  const totals = { passed: 0, failed: 0 };
  for (const suite of SUITES) {
    if (only && !only.includes(suite.name)) continue;
    const c = await runSuite(host, suite, chromium);
    totals.passed += c.passed;
    totals.failed += c.failed;
  }
  return totals;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const only = process.argv.slice(2);
  const t = await runIntegration(only.length ? only : undefined);
  console.log(`${t.passed} passed, ${t.failed} failed`);
  process.exit(t.failed === 0 && t.passed > 0 ? 0 : 1);
}
