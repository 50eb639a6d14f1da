// `npm run bench:editor`: typing in the real editor. The packaged .vsix in code-server (VS Code
// 1.139, the integration suites' harness), Chromium through playwright-core, seeded human typing
// traces typed with real key events into a real file, and the Ollama double charging like a
// one-slot llama.cpp server (test/doubles/serverCost.ts). An in-page probe timestamps keydowns and
// ghost text (a MutationObserver on the editor DOM); the double records every request. Writes
// editor-bench-results.json and prints a Markdown table.
//   npm run bench:editor -- --profile laptop --trace boundary --seed 1 --out file.json --label after
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { startOllamaDouble, type OllamaDouble, type RecordedOllamaRequest } from '../../test/doubles/ollamaDouble';
import { isServerProfileName, SERVER_PROFILES, type ServerProfileName } from '../../test/doubles/serverCost';
import { fimParts, TraceAnswers } from './answerModel';
import { computeFigures, type EditorFigures, type GenerationRecord } from './metrics';
import { startingText, TRACE_NAMES, traceByName, type Trace, type TraceName } from './traces';

const ROOT = path.join(__dirname, '..', '..');
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; publisher: string };
const VSIX = path.join(ROOT, `${PKG.name}-${PKG.version}.vsix`);

interface Options {
  profiles: ServerProfileName[];
  traces: TraceName[];
  seed: number;
  out: string;
  label: string;
  vsix: string;
  /** Share of cursor positions the double answers rightly. */
  accuracy: number;
  /** The model the extension is set to and the double serves (its family decides the prompt order). */
  model: string;
}

/** Ollama library templates of the models the benchmark can serve; the default model needs none. */
const MODEL_TEMPLATES: Record<string, string | undefined> = {
  'qwen2.5-coder:1.5b-base': undefined,
  // Prefix-first, as Ollama ships it; Tandem sends Code Llama suffix-first in raw mode instead.
  'codellama:7b-code': '<PRE> {{ .Prompt }} <SUF>{{ .Suffix }} <MID>',
};

function parseArgs(argv: string[]): Options {
  const o: Options = { profiles: ['fixed', 'gpu', 'laptop', 'cpu'], traces: [...TRACE_NAMES], seed: 1, out: path.join(ROOT, 'editor-bench-results.json'), label: 'latest', vsix: VSIX, accuracy: 0.4, model: 'qwen2.5-coder:1.5b-base' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--profile') {
      const names = v.split(',');
      for (const n of names) if (!isServerProfileName(n)) throw new Error(`unknown profile ${n} (fixed, gpu, laptop, cpu)`);
      o.profiles = names as ServerProfileName[];
      i++;
    } else if (a === '--trace') {
      const names = v.split(',');
      for (const n of names) if (!(TRACE_NAMES as readonly string[]).includes(n)) throw new Error(`unknown trace ${n} (random, boundary)`);
      o.traces = names as TraceName[];
      i++;
    } else if (a === '--seed') { o.seed = Number(v); i++; }
    else if (a === '--out') { o.out = path.resolve(v); i++; }
    else if (a === '--label') { o.label = v; i++; }
    else if (a === '--vsix') { o.vsix = path.resolve(v); i++; }
    else if (a === '--accuracy') { o.accuracy = Number(v); i++; }
    else if (a === '--model') {
      if (!(v in MODEL_TEMPLATES)) throw new Error(`unknown model ${v} (${Object.keys(MODEL_TEMPLATES).join(', ')})`);
      o.model = v;
      i++;
    }
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}

/** Runs in the page before the workbench: keydowns and every change of the ghost text, on the page clock. */
const PROBE = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  const b = window.__bench = { keys: [], ghosts: [], armed: false };
  document.addEventListener('keydown', (e) => { if (b.armed) b.keys.push({ t: now(), key: e.key }); }, true);
  let last = '';
  const read = () => {
    const inline = [...document.querySelectorAll('.monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text-decoration-preview')].map((n) => n.textContent || '').join('');
    const lines = [...document.querySelectorAll('.monaco-editor .ghost-text .view-line, .monaco-editor .view-zones .suggest-preview-text .view-line')].map((n) => n.textContent || '');
    return [inline, ...lines].join('\\n').replace(/\\u00a0/g, ' ');
  };
  const observer = new MutationObserver(() => {
    const g = read();
    if (g === last) return;
    last = g;
    if (b.armed) b.ghosts.push({ t: now(), text: g });
  });
  const start = () => observer.observe(document, { subtree: true, childList: true, characterData: true });
  start();
})();`;

/** Settings that make the editor insert exactly the keys typed (no auto-close, auto-indent or suggest widget). */
const EDITOR_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'security.workspace.trust.enabled': false,
  'editor.inlineSuggest.enabled': true,
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.autoClosingComments': 'never',
  'editor.autoSurround': 'never',
  'editor.autoIndent': 'none',
  'editor.formatOnType': false,
  'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
  'editor.suggestOnTriggerCharacters': false,
  'editor.wordBasedSuggestions': 'off',
  'editor.parameterHints.enabled': false,
  'editor.acceptSuggestionOnEnter': 'off',
  'editor.minimap.enabled': false,
  'files.autoSave': 'off',
  'files.insertFinalNewline': false,
  'files.trimTrailingWhitespace': false,
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

interface RunResult {
  profile: ServerProfileName;
  trace: TraceName;
  figures: EditorFigures;
  typedCorrectly: boolean;
  loadAverage: number[];
  /** tokenTimes: ms after the request arrived. */
  generations: Array<Omit<GenerationRecord, 'tokens'> & { tokens: number }>;
  /** What the page saw, ms after the first key: keydowns and ghost text changes. */
  page: { t0: number; keys: number[]; ghosts: Array<[number, string]> };
}

async function runOne(host: { nodeBin: string; codeServerEntry: string }, chromium: typeof import('playwright-core').chromium,
  extDir: string, profileName: ServerProfileName, trace: Trace, answerOptions: { accuracy: number; seed: number; model: string },
  integ: { freePort(): Promise<number>; waitForHealthz(port: number, ms: number): Promise<void> }): Promise<RunResult> {
  const profile = SERVER_PROFILES[profileName];
  const answers = new TraceAnswers(trace, answerOptions);
  // Where each request's cursor was, from its prompt (the answer model works it out anyway).
  const keysTyped = new Map<RecordedOllamaRequest, number | undefined>();
  const template = MODEL_TEMPLATES[answerOptions.model];
  const double: OllamaDouble = await startOllamaDouble({
    models: [{ name: answerOptions.model, ...(template ? { template } : {}) }],
    server: profile,
    respond: (rec) => {
      const a = answers.answer(fimParts(rec.body ?? {}));
      keysTyped.set(rec, a.keysTyped);
      return a.text;
    },
  });
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), `tandem-editor-bench-${profileName}-${trace.name}-`));
  const userData = path.join(runDir, 'user-data');
  const workspace = path.join(runDir, 'workspace');
  fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
  fs.mkdirSync(workspace, { recursive: true });
  const file = path.join(workspace, trace.fileName);
  fs.writeFileSync(file, startingText(trace));
  fs.writeFileSync(path.join(userData, 'User', 'settings.json'), JSON.stringify({
    ...EDITOR_SETTINGS,
    'tandem.local.endpoint': double.url,
    'tandem.local.model': answerOptions.model,
  }, null, 2));

  const port = await integ.freePort();
  const env = { ...process.env, EXTENSIONS_GALLERY: '{}', XDG_CONFIG_HOME: path.join(runDir, 'xdg'), XDG_DATA_HOME: path.join(runDir, 'xdg-data') };
  const server: ChildProcess = spawn(host.nodeBin, [host.codeServerEntry, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--user-data-dir', userData, '--extensions-dir', extDir, '--disable-telemetry', '--disable-update-check',
    '--ignore-last-opened', '--disable-workspace-trust'], { env, stdio: 'ignore', detached: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  try {
    await integ.waitForHealthz(port, 60_000);
    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await page.addInitScript(PROBE);
    // BENCH_SHOTS=dir: screenshots of the setup steps, to see what went wrong.
    const shot = async (name: string): Promise<void> => {
      if (process.env.BENCH_SHOTS) await page.screenshot({ path: path.join(process.env.BENCH_SHOTS, `${profileName}-${trace.name}-${name}.png`) });
    };
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`, { timeout: 120_000, waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await sleep(2000);
    // Open the file from the explorer and put the cursor where the typed stretch starts.
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: trace.fileName }).first().click({ timeout: 60_000 });
    await page.locator('.tabs-container .tab', { hasText: trace.fileName }).first().waitFor({ timeout: 90_000 });
    await sleep(1500);
    const line = trace.truth.slice(0, trace.start).split('\n').length;
    await page.locator('.editor-instance .monaco-editor .view-lines').first().click({ timeout: 90_000 });
    await page.keyboard.press('Control+Home');
    for (let i = 1; i < line; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Home');
    await page.keyboard.press('Home');
    await page.locator('.statusbar-item', { hasText: `Ln ${line}, Col 1` }).first().waitFor({ timeout: 15_000 })
      .catch(() => console.log(`  (the status bar does not show Ln ${line}, Col 1: the typed text will tell)`));
    await shot('1-opened');
    // Let the extension activate and check the model (the double answers /api/show and the warm-up).
    await double.waitFor(() => double.requests.some((r) => r.path === '/api/show'), 60_000);
    await sleep(3000);
    await double.waitFor(() => double.activeGenerations === 0, 10_000);
    double.reset();
    await page.evaluate(() => { (window as unknown as { __bench: { armed: boolean } }).__bench.armed = true; });

    // Each key its gap after the previous one was sent. Not an absolute schedule: on a loaded
    // machine a key can take 100 ms and more to send, and catching up would squeeze the pauses
    // this measures into bursts of keys.
    let sentAt = Date.now();
    for (const k of trace.keys) {
      await sleep(k.gapMs - (Date.now() - sentAt));
      sentAt = Date.now();
      if (k.ch === '\n') await page.keyboard.press('Enter');
      else await page.keyboard.type(k.ch);
    }
    await sleep(trace.tailMs);
    await shot('2-typed');
    const endAt = Date.now();
    await double.waitFor(() => double.activeGenerations === 0, 15_000).catch(() => undefined);
    const probe = await page.evaluate(() => {
      const b = (window as unknown as { __bench: { keys: Array<{ t: number; key: string }>; ghosts: Array<{ t: number; text: string }>; armed: boolean } }).__bench;
      b.armed = false;
      return { keys: b.keys, ghosts: b.ghosts };
    });
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+S');
    await sleep(1500);
    const typedCorrectly = fs.readFileSync(file, 'utf8') === trace.truth;

    const generations: GenerationRecord[] = double.generations
      .filter((g) => g.request.path === '/api/generate' && g.renderedPrompt !== '')
      .map((g) => ({
        id: g.id, keysTyped: keysTyped.get(g.request), receivedAt: g.request.receivedAt, startedAt: g.startedAt, firstTokenAt: g.firstTokenAt,
        endedAt: g.endedAt, slotReleasedAt: g.slotReleasedAt, aborted: g.aborted, completed: g.completed,
        tokens: g.tokens, tokenTimes: g.tokenTimes, promptTokens: g.promptTokens, cachedTokens: g.cachedTokens,
        processedTokens: g.processedTokens, firstTokenDueMs: g.firstTokenDueMs,
      }));
    const figures = computeFigures({
      keyTimes: probe.keys.map((k) => k.t),
      ghosts: probe.ghosts,
      generations,
      pauseAfter: trace.pauseAfter,
      typed: trace.keys.map((k) => k.ch).join(''),
      endAt,
      profile,
    });
    return {
      profile: profileName,
      trace: trace.name,
      figures,
      typedCorrectly,
      loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
      generations: generations.map((g) => ({ ...g, tokens: g.tokenTimes.length, tokenTimes: g.tokenTimes.map((t) => t - g.receivedAt) })),
      page: {
        t0: probe.keys[0]?.t ?? 0,
        keys: probe.keys.map((k) => Math.round(k.t - probe.keys[0].t)),
        ghosts: probe.ghosts.map((g) => [Math.round(g.t - probe.keys[0].t), g.text.slice(0, 60)]),
      },
    };
  } finally {
    await browser.close().catch(() => undefined);
    try { process.kill(-server.pid!, 'SIGTERM'); } catch { /* gone */ }
    await sleep(1500);
    try { process.kill(-server.pid!, 'SIGKILL'); } catch { /* gone */ }
    await double.close();
    if (process.env.BENCH_KEEP) console.log(`  kept ${runDir}`);
    else fs.rmSync(runDir, { recursive: true, force: true, maxRetries: 5 });
  }
}

export const TABLE_FIGURES: Array<keyof EditorFigures> = [
  'pausesWithGhostShare', 'keyToGhostP50Ms', 'overheadP50Ms', 'requestsPerKeystroke', 'wastedTokenShare',
  'uncachedPromptTokensPerKeystroke', 'serverBusyShare', 'maxInFlight', 'pausesWithRestart',
];

export function markdownTable(results: Array<{ profile: string; trace: string; figures: EditorFigures }>): string {
  const head = `| profile | trace | pauses with ghost | ${TABLE_FIGURES.slice(1).join(' | ')} |`;
  const rule = `| ${['---', '---', '---', ...TABLE_FIGURES.slice(1).map(() => '---')].join(' | ')} |`;
  const rows = results.map((r) => `| ${r.profile} | ${r.trace} | ${r.figures.pausesWithGhost}/${r.figures.pauses} (${Math.round(r.figures.pausesWithGhostShare * 100)}%) | ${
    TABLE_FIGURES.slice(1).map((k) => String(r.figures[k] ?? '-')).join(' | ')} |`);
  return [head, rule, ...rows].join('\n');
}

async function main(): Promise<void> {
  const opt = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(opt.vsix)) throw new Error(`${opt.vsix} missing: run npm run package first`);
  const { ensureTestHost } = await import('../../scripts/ensureTestHost.mjs' as string) as { ensureTestHost(): { nodeBin: string; codeServerEntry: string } };
  const integ = await import('../../scripts/runIntegration.mjs' as string) as { freePort(): Promise<number>; waitForHealthz(port: number, ms: number): Promise<void> };
  const host = ensureTestHost();
  const { chromium } = await import('playwright-core');
  // Install the .vsix once; every run gets its own user data and workspace.
  const extDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-editor-bench-ext-'));
  const env = { ...process.env, EXTENSIONS_GALLERY: '{}', XDG_CONFIG_HOME: path.join(extDir, '.xdg') };
  execFileSync(host.nodeBin, [host.codeServerEntry, '--extensions-dir', extDir, '--user-data-dir', path.join(extDir, '.ud'), '--install-extension', opt.vsix], { env, stdio: 'pipe' });
  const results: RunResult[] = [];
  const started = Date.now();
  try {
    for (const p of opt.profiles) {
      for (const t of opt.traces) {
        const trace = traceByName(t, opt.seed);
        console.log(`[bench:editor] ${p} / ${t}: ${trace.keys.length} keys, ${trace.pauseAfter.length} pauses (load average ${os.loadavg()[0].toFixed(2)})`);
        // On a loaded machine the workbench can take longer to come up than any timeout: one retry.
        const run = () => runOne(host, chromium, extDir, p, trace, { accuracy: opt.accuracy, seed: opt.seed, model: opt.model }, integ);
        const r = await run().catch((e: unknown) => {
          console.log(`  setup failed (${String((e as Error).message ?? e).split('\n')[0]}): once more`);
          return run();
        });
        const f = r.figures;
        console.log(`  ghost in ${f.pausesWithGhost}/${f.pauses} pauses, key->ghost p50 ${f.keyToGhostP50Ms} ms, overhead p50 ${f.overheadP50Ms} ms (${f.overheadSamples}), ` +
          `${f.requestsPerKeystroke} req/key, wasted ${f.wastedTokenShare}, uncached ${f.uncachedPromptTokensPerKeystroke} tok/key, busy ${f.serverBusyShare}, ` +
          `max in flight ${f.maxInFlight}, restarts ${f.pausesWithRestart}, typed correctly ${r.typedCorrectly}`);
        results.push(r);
        // Each run's record as soon as it exists, to look into while the others run.
        fs.writeFileSync(`${opt.out}.${p}-${t}.partial`, JSON.stringify(r));
      }
    }
  } finally {
    fs.rmSync(extDir, { recursive: true, force: true, maxRetries: 5 });
  }
  // Runs of other profiles/traces already in the file are kept; these replace their own entries.
  let existing: { runs?: RunResult[] } = {};
  try { existing = JSON.parse(fs.readFileSync(opt.out, 'utf8')); } catch { /* a new file */ }
  const keep = (existing.runs ?? []).filter((r) => !results.some((n) => n.profile === r.profile && n.trace === r.trace));
  const runs = [...keep, ...results];
  fs.writeFileSync(opt.out, `${JSON.stringify({
    label: opt.label, seed: opt.seed, accuracy: opt.accuracy, model: opt.model, date: new Date().toISOString(), elapsedSeconds: Math.round((Date.now() - started) / 1000),
    cpus: os.cpus().length, runs,
  }, null, 2)}\n`);
  console.log(`\n${markdownTable(runs)}\n\nwrote ${path.relative(ROOT, opt.out)}`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
