// `npm run eval:quality`: how often the ghost text is exactly the code that belongs at the cursor.
// Cases come from real code (bench/quality/cases.ts); for each, the Ollama double answers with the
// true middle plus one kind of junk (bench/quality/junk.ts), through the REAL CompletionEngine, the
// REAL OllamaBackend and the `ollama` client over loopback HTTP, so stop strings, num_predict and
// the engine's stream stop all act as they do in the editor. The shown text is scored against the
// true middle: exact, and whole-line prefix (every shown line is a right line, some may be missing).
//
//   npm run eval:quality [-- --seed N] [-- --out FILE]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OllamaBackend } from '../../src/core/backends/ollamaBackend';
import { systemClock } from '../../src/core/shared/clock';
import { CompletionEngine } from '../../src/core/completion/completionEngine';
import { DEFAULT_ENGINE_SETTINGS, type EngineSettings } from '../../src/core/completion/engineSettings';
import { startOllamaDouble } from '../../test/doubles/ollamaDouble';
import { buildPositions, loadSources, type CaseShape, type QualityPosition } from './cases';
import { JUNK_KINDS, junkAnswer, type JunkKind } from './junk';

const ROOT = path.resolve(__dirname, '..', '..');
const MODEL = 'qwen2.5-coder:1.5b-base';

interface CaseResult {
  id: string;
  languageId: string;
  shape: CaseShape;
  junk: JunkKind;
  exact: boolean;
  linePrefix: boolean;
  shown: string | null;
  middle: string;
  /** Tokens the server streamed before the stream ended (stop rule, stop string or end of answer). */
  tokensSent: number;
}

/** `npm run bench`'s token schedule: what a block costs in time, from the tokens it took. */
const BENCH_SCHEDULE = { firstTokenMs: 80, perTokenMs: 15 };

function parseArgs(argv: string[]): { seed: number; out: string; verbose: boolean } {
  const o = { seed: 1, out: path.join(ROOT, 'quality-results.json'), verbose: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--seed') o.seed = Number(argv[++i]);
    else if (argv[i] === '--out') o.out = path.resolve(argv[++i]);
    else if (argv[i] === '--verbose') o.verbose = true;
    else throw new Error(`unknown option ${argv[i]} (use --seed N, --out FILE, --verbose)`);
  }
  return o;
}

/** Every shown line is a whole line of the middle, in order from its start (nothing wrong, maybe something missing). */
export function isWholeLinePrefix(shown: string, middle: string): boolean {
  if (shown === '' || !middle.startsWith(shown)) return false;
  return shown.length === middle.length || middle[shown.length] === '\n';
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const settings: EngineSettings = { ...DEFAULT_ENGINE_SETTINGS, speculative: 'off' };
  const positions = buildPositions(loadSources(), {
    seed: args.seed, perFile: { singleLine: 2, multiLine: 3, midLine: 1 }, maxLines: settings.maxLines,
  });
  let answer = '';
  const double = await startOllamaDouble({ respond: () => answer });
  const backend = new OllamaBackend({ host: double.url, model: MODEL, keepAlive: '30m' });
  const results: CaseResult[] = [];
  try {
    let n = 0;
    for (const p of positions) {
      for (const junk of JUNK_KINDS) {
        answer = junkAnswer(p, junk, n++);
        const before = double.generations.length;
        const r = await runCase(p, junk, backend, settings);
        await double.waitFor(() => double.activeGenerations === 0, 2000);
        r.tokensSent = double.generations.slice(before).reduce((n, g) => n + g.tokensSent, 0);
        results.push(r);
      }
    }
  } finally {
    await double.close();
  }
  report(results, args);
}

async function runCase(p: QualityPosition, junk: JunkKind, backend: OllamaBackend, settings: EngineSettings): Promise<CaseResult> {
  // A fresh engine per case: nothing learned from one case (cache, debounce) serves another.
  const engine = new CompletionEngine({ backend: () => backend, clock: systemClock, settings: () => settings });
  try {
    const o = await engine.complete({
      documentKey: `file:///${p.origin}`, languageId: p.languageId, text: p.prefix + p.suffix, offset: p.prefix.length, trigger: 'invoke',
    }, new AbortController().signal);
    const shown = o.kind === 'shown' ? o.text : null;
    return {
      id: p.id, languageId: p.languageId, shape: p.shape, junk, middle: p.middle, shown,
      exact: shown === p.middle, linePrefix: shown !== null && isWholeLinePrefix(shown, p.middle), tokensSent: 0,
    };
  } finally {
    engine.dispose();
  }
}

interface Tally { n: number; exact: number; linePrefix: number }

function tally(rs: readonly CaseResult[]): Tally {
  return { n: rs.length, exact: rs.filter((r) => r.exact).length, linePrefix: rs.filter((r) => r.linePrefix).length };
}

const pct = (k: number, n: number): string => (n === 0 ? '-' : `${((100 * k) / n).toFixed(1)}%`);

function report(results: readonly CaseResult[], args: { seed: number; out: string; verbose: boolean }): void {
  const shapes: CaseShape[] = ['singleLine', 'multiLine', 'midLine'];
  const languages = [...new Set(results.map((r) => r.languageId))].sort();
  const all = tally(results);
  const multi = results.filter((r) => r.shape === 'multiLine').length;
  const lines: string[] = [];
  lines.push(`Quality eval (seed ${args.seed}): ${all.n} cases, ${pct(multi, all.n)} multi-line, ${languages.length} languages`);
  lines.push(`Overall: exact ${pct(all.exact, all.n)}, whole-line prefix ${pct(all.linePrefix, all.n)}`);
  lines.push('');
  lines.push('| shape \\ junk | ' + JUNK_KINDS.join(' | ') + ' | all |');
  lines.push('|---|' + JUNK_KINDS.map(() => '---').join('|') + '|---|');
  const cells: Record<string, Tally> = {};
  for (const shape of shapes) {
    const row = JUNK_KINDS.map((j) => {
      const t = tally(results.filter((r) => r.shape === shape && r.junk === j));
      cells[`${shape}/${j}`] = t;
      return `${pct(t.exact, t.n)} (${t.n})`;
    });
    const t = tally(results.filter((r) => r.shape === shape));
    lines.push(`| ${shape} | ${row.join(' | ')} | ${pct(t.exact, t.n)} (${t.n}) |`);
  }
  lines.push('');
  lines.push('| language | cases | exact | whole-line prefix |');
  lines.push('|---|---|---|---|');
  const byLanguage: Record<string, Tally> = {};
  for (const lang of languages) {
    const t = tally(results.filter((r) => r.languageId === lang));
    byLanguage[lang] = t;
    lines.push(`| ${lang} | ${t.n} | ${pct(t.exact, t.n)} | ${pct(t.linePrefix, t.n)} |`);
  }
  // What each shape costs in time on the bench's schedule (answers with junk included: the stream
  // stops where the shown text ends, so junk after it costs at most a line).
  const timing: Record<string, { medianMs: number; p90Ms: number; within: Record<string, number> }> = {};
  lines.push('');
  lines.push(`| shape | median ms | p90 ms | within 0.5 s | within 1 s | within 1.5 s |  (${BENCH_SCHEDULE.firstTokenMs} ms + ${BENCH_SCHEDULE.perTokenMs} ms/token)`);
  lines.push('|---|---|---|---|---|---|');
  for (const shape of shapes) {
    const ms = results.filter((r) => r.shape === shape).map((r) => BENCH_SCHEDULE.firstTokenMs + BENCH_SCHEDULE.perTokenMs * r.tokensSent).sort((a, b) => a - b);
    const q = (p: number): number => ms[Math.min(ms.length - 1, Math.floor(p * ms.length))];
    const share = (limit: number): number => ms.filter((x) => x <= limit).length / ms.length;
    timing[shape] = { medianMs: q(0.5), p90Ms: q(0.9), within: { '500': share(500), '1000': share(1000), '1500': share(1500) } };
    lines.push(`| ${shape} | ${q(0.5)} | ${q(0.9)} | ${pct(share(500) * 100, 100)} | ${pct(share(1000) * 100, 100)} | ${pct(share(1500) * 100, 100)} |`);
  }
  const worst = Object.entries(cells).sort((a, b) => a[1].exact / a[1].n - b[1].exact / b[1].n)[0];
  lines.push('');
  lines.push(`Worst cell: ${worst[0]} ${pct(worst[1].exact, worst[1].n)}`);
  process.stdout.write(lines.join('\n') + '\n');
  if (args.verbose) {
    for (const r of results.filter((x) => !x.exact)) {
      process.stdout.write(`\n--- ${r.id} [${r.junk}]\nwant: ${JSON.stringify(r.middle)}\ngot:  ${JSON.stringify(r.shown)}\n`);
    }
  }
  const failures = results.filter((r) => !r.exact).map((r) => ({ id: r.id, junk: r.junk, middle: r.middle, shown: r.shown }));
  fs.writeFileSync(args.out, JSON.stringify({
    seed: args.seed, cases: all.n, multiLineShare: multi / all.n, languages,
    overall: { exact: all.exact / all.n, linePrefix: all.linePrefix / all.n },
    worstCell: { cell: worst[0], exact: worst[1].exact / worst[1].n },
    cells: Object.fromEntries(Object.entries(cells).map(([k, t]) => [k, { n: t.n, exact: t.exact / t.n, linePrefix: t.linePrefix / t.n }])),
    timingOnBenchSchedule: timing,
    byLanguage: Object.fromEntries(Object.entries(byLanguage).map(([k, t]) => [k, { n: t.n, exact: t.exact / t.n, linePrefix: t.linePrefix / t.n }])),
    failures,
  }, null, 2) + '\n');
}

void main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
