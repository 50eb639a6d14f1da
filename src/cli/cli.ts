// Command-line entry over the same engine code the editor runs (no vscode): users debug their setup
// with it, tests and the benchmark drive it.
//   node dist/cli.js complete --file PATH --line N --character N [--endpoint URL] [--model NAME]
//                             [--provider ollama|openai-compatible] [--workspace DIR] [--settings PATH]
//                             [--timeout-ms N] [--max-tokens N] [--json]
//   node dist/cli.js doctor [--settings PATH] [--endpoint URL] [--model NAME] [--provider P]
//                           [--cloud-base-url URL] [--json]     (API key from OPENAI_API_KEY)
//   node dist/cli.js refactor --file F --range L1:C1-L2:C2 --instruction TEXT --dry-run [--json]
//                             [--settings PATH] [--workspace-settings PATH]
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CompletionBackend } from '../core/shared/modelBackend';
import { CHARS_PER_TOKEN } from '../core/completion/promptWindow';
import { createWorkspaceExcluder } from '../core/privacy/workspaceExcluder';
import { rawSettingsFromJson, readSettings, readSettingsSnapshot, type TandemSettings } from '../core/settings';
import { createLocalBackend } from '../core/backends/createLocalBackend';
import { CompletionEngine } from '../core/completion/completionEngine';
import { engineSettingsFrom } from '../core/completion/engineSettings';
import { systemClock } from '../core/shared/clock';
import { languageIdForPath } from '../core/completion/languageIds';
import { offsetAt } from '../core/completion/textPosition';
import { formatDoctorText, runDoctor } from '../core/setup/doctor';
import { ollamaLocalChatBackend, openAiCloudBackend } from '../core/backends/chatBackends';
import { BudgetReservations } from '../core/cost/budgetReservations';
import { SpendLedger } from '../core/cost/ledger';
import { EgressLog, memoryLineStore } from '../core/privacy/egressLog';
import { createPathExcluder } from '../core/privacy/pathExclusion';
import { RefactorService } from '../core/refactor/refactorService';
import { CloudPipeline } from '../core/routing/cloudPipeline';

const USAGE = `Usage:
  tandem complete --file PATH --line N --character N [--endpoint URL] [--model NAME]
                  [--provider ollama|openai-compatible] [--workspace DIR] [--settings PATH]
                  [--timeout-ms N] [--max-tokens N] [--json]
  tandem doctor [--settings PATH] [--endpoint URL] [--model NAME] [--provider ollama|openai-compatible]
                [--cloud-base-url URL] [--json]
  tandem refactor --file PATH --range L1:C1-L2:C2 --instruction TEXT --dry-run [--json]
                  [--settings PATH] [--workspace-settings PATH]
Lines and characters are 0-based, as in VS Code's API.
refactor --dry-run prints exactly what a cloud refactor would send (messages after redaction, model,
endpoint host, ceiling cost, redactions) and sends nothing. --workspace-settings applies a
repository's .vscode/settings.json as the editor does (it may only tighten).
complete applies the editor's exclusions (built-in defaults, tandem.privacy.exclude from --settings,
the .tandemignore of --workspace, default the current directory; symlinks resolved), gives up after
--timeout-ms (default 10000) and stops the stream after --max-tokens (default 256) whatever the server
does. Bad options exit 2 and name the bad value; --json always prints exactly one JSON object.
doctor runs the same checks as "Tandem: Check Setup". --settings reads tandem.* keys from a VS Code
settings.json (your user settings); flags win over it. A local server token (team server) comes
from TANDEM_LOCAL_TOKEN (sent as Authorization: Bearer). The API key comes from OPENAI_API_KEY and is
only sent to the base URL of those settings or flags (GET /models, a free call). Exit code 1 when a
check fails.`;

// Captured at load: while `complete --json` runs, libraries that log to stdout (the ollama client
// does, on HTTP errors) are sent to stderr, and only this writer reaches stdout.
const stdoutWrite = process.stdout.write.bind(process.stdout);

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_TOKENS = 256;

export async function main(argv: string[], out: (s: string) => void = (s) => { stdoutWrite(s); }): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'complete') return complete(rest, out);
  if (command === 'doctor') return doctor(rest, out);
  if (command === 'refactor') return refactorDryRun(rest, out);
  out(`${USAGE}\n`);
  return command === undefined || command === '--help' ? 0 : 2;
}

function settingsFrom(values: { endpoint?: string; model?: string; provider?: string }): TandemSettings {
  const overrides: Record<string, unknown> = {
    'local.endpoint': values.endpoint,
    'local.model': values.model,
    'local.provider': values.provider,
    // A one-shot command has nobody typing: load nothing ahead, keep nothing loaded longer than usual.
    'local.warmUp': false,
  };
  return readSettings((key) => overrides[key]);
}

class UsageError extends Error {}

async function complete(args: string[], out: (s: string) => void): Promise<number> {
  const json = args.includes('--json');
  const emit = (o: Record<string, unknown>) => out(`${JSON.stringify(o)}\n`);
  let values: CompleteOptions;
  try {
    values = parseCompleteArgs(args);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (json) emit({ text: '', outcome: 'error', reason: 'badArguments', detail: message, timings: null });
    else out(`${USAGE}\n\ntandem: ${message}\n`);
    return 2;
  }
  // Libraries that log to stdout would break the one JSON object: their lines go to stderr.
  const restore = json ? guardStdout() : () => {};
  try {
    return await completeWith(values, out, emit);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (!json) throw e;
    emit({ text: '', outcome: 'error', reason: 'error', detail: message, timings: null });
    return 1;
  } finally {
    restore();
  }
}

interface CompleteOptions {
  file: string; line: number; character: number; json: boolean; timeoutMs: number; maxTokens: number;
  workspace: string; settings?: string; endpoint?: string; model?: string; provider?: string;
}

function parseCompleteArgs(args: string[]): CompleteOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        file: { type: 'string' }, line: { type: 'string' }, character: { type: 'string' },
        endpoint: { type: 'string' }, model: { type: 'string' }, provider: { type: 'string' }, json: { type: 'boolean' },
        workspace: { type: 'string' }, settings: { type: 'string' }, 'timeout-ms': { type: 'string' }, 'max-tokens': { type: 'string' },
      },
    }));
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  if (!values.file || values.line === undefined || values.character === undefined) throw new UsageError('--file, --line and --character are required');
  const endpoint = values.endpoint;
  if (endpoint !== undefined && !isHttpUrl(endpoint)) throw new UsageError(`--endpoint must be an http(s) URL, got ${JSON.stringify(endpoint)}`);
  if (values.provider !== undefined && !['ollama', 'openai-compatible'].includes(values.provider)) {
    throw new UsageError(`--provider must be ollama or openai-compatible, got ${JSON.stringify(values.provider)}`);
  }
  return {
    file: values.file,
    line: wholeNumber('--line', values.line, 0),
    character: wholeNumber('--character', values.character, 0),
    timeoutMs: values['timeout-ms'] === undefined ? DEFAULT_TIMEOUT_MS : wholeNumber('--timeout-ms', values['timeout-ms'], 1),
    maxTokens: values['max-tokens'] === undefined ? DEFAULT_MAX_TOKENS : wholeNumber('--max-tokens', values['max-tokens'], 1),
    json: values.json === true,
    workspace: values.workspace ?? process.cwd(),
    ...(values.settings !== undefined ? { settings: values.settings } : {}),
    ...(endpoint !== undefined ? { endpoint } : {}),
    ...(values.model !== undefined ? { model: values.model } : {}),
    ...(values.provider !== undefined ? { provider: values.provider } : {}),
  };
}

function wholeNumber(flag: string, raw: string, min: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) throw new UsageError(`${flag} must be a whole number >= ${min}, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

function isHttpUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

async function completeWith(values: CompleteOptions, out: (s: string) => void, emit: (o: Record<string, unknown>) => void): Promise<number> {
  const fromFile = values.settings ? readSettingsFile(values.settings) : {};
  const exclude = Array.isArray(fromFile['privacy.exclude']) ? (fromFile['privacy.exclude'] as unknown[]).filter((g): g is string => typeof g === 'string') : [];
  const root = resolve(values.workspace);
  let tandemignoreText: string | undefined;
  try { tandemignoreText = readFileSync(resolve(root, '.tandemignore'), 'utf8'); } catch { /* none */ }
  const excluder = createWorkspaceExcluder({
    folders: [{ root: realOr(root), ...(tandemignoreText !== undefined ? { tandemignoreText } : {}) }],
    globs: exclude,
    realPath: (p) => { try { return realpathSync.native(p); } catch { return undefined; } },
  });
  const exclusion = excluder.isExcluded(resolve(values.file));
  if (exclusion.excluded) {
    const detail = `${values.file} is excluded from AI features (${exclusion.rule}); nothing was read or sent.`;
    if (values.json) emit({ text: '', outcome: 'skipped', reason: 'excludedFile', detail, timings: null });
    else out(`No completion: excludedFile (${detail})\n`);
    return 1;
  }

  const settings = settingsFrom(values);
  const text = readFileSync(values.file, 'utf8');
  const offset = offsetAt(text, values.line, values.character);
  const backend = withTokenCap(createLocalBackend(settings, { token: localTokenFromEnv() }), values.maxTokens);
  const engineSettings = { ...engineSettingsFrom(settings), speculative: 'off' as const, maxTokens: Math.min(engineSettingsFrom(settings).maxTokens, values.maxTokens) };
  const engine = new CompletionEngine({ backend: () => backend, clock: systemClock, settings: () => engineSettings });
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; abort.abort(); }, values.timeoutMs);
  try {
    const outcome = await engine.complete(
      { documentKey: values.file, languageId: languageIdForPath(values.file), text, offset, trigger: 'invoke' },
      abort.signal,
    );
    const reason = timedOut ? 'timeout' : outcome.kind === 'skipped' ? outcome.reason : null;
    const detail = timedOut ? `No answer within ${values.timeoutMs} ms (--timeout-ms).` : outcome.kind === 'skipped' ? outcome.detail : undefined;
    if (values.json) {
      emit({
        text: outcome.kind === 'shown' ? outcome.text : '',
        outcome: timedOut && outcome.kind !== 'shown' ? 'skipped' : outcome.kind,
        reason: outcome.kind === 'shown' ? null : reason,
        ...(outcome.kind !== 'shown' && detail ? { detail } : {}),
        timings: outcome.timings ?? null,
      });
    } else if (outcome.kind === 'shown') {
      out(`${outcome.text}\n`);
    } else {
      out(`No completion: ${reason}${detail ? ` (${detail})` : ''}\n`);
    }
    return outcome.kind === 'shown' ? 0 : 1;
  } finally {
    clearTimeout(timer);
    engine.dispose();
  }
}

/**
 * The server's own cap (num_predict) is a request; this one holds even when the server ignores it
 * (an endless stream). Tokens are estimated from characters, as the prompt window does: loading the
 * real tokenizer would cost a one-shot command more than the cap saves.
 */
function withTokenCap(backend: CompletionBackend, maxTokens: number): CompletionBackend {
  return {
    complete: (req, signal) => backend.complete({ ...req, shouldStop: (t) => req.shouldStop?.(t) === true || t.length / CHARS_PER_TOKEN >= maxTokens }, signal),
    checkHealth: (signal) => backend.checkHealth(signal),
  };
}

function realOr(p: string): string {
  try { return realpathSync.native(p); } catch { return p; }
}

/** Routes console output and direct stdout writes to stderr until the returned function runs. */
function guardStdout(): () => void {
  const saved = { log: console.log, info: console.info, debug: console.debug, write: process.stdout.write };
  console.log = console.info = console.debug = (...a: unknown[]) => console.error(...a);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  return () => {
    console.log = saved.log; console.info = saved.info; console.debug = saved.debug;
    process.stdout.write = saved.write;
  };
}

async function doctor(args: string[], out: (s: string) => void): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      settings: { type: 'string' }, endpoint: { type: 'string' }, model: { type: 'string' }, provider: { type: 'string' },
      'cloud-base-url': { type: 'string' }, json: { type: 'boolean' },
    },
  });
  const fromFile = values.settings ? readSettingsFile(values.settings) : {};
  const raw: Record<string, unknown> = { ...fromFile };
  const flag = (key: string, v: string | undefined) => { if (v !== undefined) raw[key] = v; };
  flag('local.endpoint', values.endpoint);
  flag('local.model', values.model);
  flag('local.provider', values.provider);
  flag('cloud.baseUrl', values['cloud-base-url']);
  // Settings file and flags are the user's own choice here: there is no workspace level.
  const settings = readSettingsSnapshot({ user: (key) => raw[key], workspace: () => undefined, trusted: true });
  const key = process.env.OPENAI_API_KEY?.trim();
  const report = await runDoctor({
    settings,
    localBackend: createLocalBackend(settings, { token: localTokenFromEnv() }),
    apiKey: async () => (key ? key : undefined),
    userLevelBaseUrl: settings.policy.userBaseUrl,
    budget: settings.policy.budget,
  });
  out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorText(report));
  return report.overall === 'fail' ? 1 : 0;
}

/** `tandem refactor --dry-run`: the refactor's cloud plan, nothing sent. Exit 2 on bad flags. */
async function refactorDryRun(args: string[], out: (s: string) => void): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        file: { type: 'string' }, range: { type: 'string' }, instruction: { type: 'string' }, 'dry-run': { type: 'boolean' },
        json: { type: 'boolean' }, settings: { type: 'string' }, 'workspace-settings': { type: 'string' },
      },
    }));
  } catch (e) {
    out(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    return 2;
  }
  const range = /^(\d+):(\d+)-(\d+):(\d+)$/.exec(values.range ?? '');
  if (!values.file || !range || !values.instruction || !values['dry-run']) {
    out(`${!range && values.range ? `bad --range '${values.range}' (expected L1:C1-L2:C2)\n` : ''}${values['dry-run'] ? '' : 'only --dry-run is supported: the CLI never sends a refactor\n'}${USAGE}\n`);
    return 2;
  }
  const user = values.settings ? readSettingsFile(values.settings) : {};
  const workspace = values['workspace-settings'] ? readSettingsFile(values['workspace-settings']) : {};
  const settings = readSettingsSnapshot({ user: (k) => user[k], workspace: (k) => workspace[k], trusted: true });
  const text = readFileSync(values.file, 'utf8');
  const start = offsetAt(text, Number(range[1]), Number(range[2]));
  const end = offsetAt(text, Number(range[3]), Number(range[4]));
  const excluder = createPathExcluder({ globs: settings.privacy.exclude });
  const relativePath = path.relative(process.cwd(), path.resolve(values.file)).split(path.sep).join('/');
  const key = process.env.OPENAI_API_KEY?.trim();
  const ledgerDir = mkdtempSync(path.join(tmpdir(), 'tandem-dry-run-'));
  try {
    const context = {
      settings: () => settings,
      trusted: () => true,
      workspaceName: () => 'cli',
      isExcluded: (p: string) => excluder.isExcludedPath(p),
      localHealth: () => undefined,
      apiKey: async () => key || 'dry-run',
      ledger: new SpendLedger(ledgerDir),
      egress: new EgressLog(memoryLineStore()),
    };
    const pipeline = new CloudPipeline({ ...context, reservations: new BudgetReservations(context.ledger), cloudBackend: openAiCloudBackend });
    const service = new RefactorService({ ...context, pipeline, localBackend: ollamaLocalChatBackend });
    const plan = await service.plan({
      relativePath, languageId: languageIdForPath(values.file), instruction: values.instruction,
      before: text.slice(0, start), selection: text.slice(start, end), after: text.slice(end),
      range: { start, end }, documentVersion: 0, eol: text.includes('\r\n') ? '\r\n' : '\n',
    });
    const p = plan.preview;
    const report = {
      wouldSend: p !== undefined && p.refused === undefined,
      ...(p?.refused ? { refused: p.refused } : {}),
      route: { kind: plan.route.kind, reason: plan.route.reason, explain: plan.route.explain },
      model: settings.cloud.model,
      endpointHost: p?.endpointHost ?? '',
      ceilingCostUsd: plan.estimate ? plan.estimate.maxCostMicros / 1e6 : null,
      inputTokens: plan.estimate?.inputTokens ?? null,
      maxOutputTokens: settings.cloud.maxOutputTokens,
      redactions: p?.redactions ?? [],
      droppedContext: p?.dropped ?? [],
      bytes: p?.bytes ?? 0,
      sha256: p?.sha256 ?? '',
      messages: p?.refused ? [] : p?.messages ?? [],
    };
    if (values.json) {
      out(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      out(`${report.wouldSend ? 'Would send' : `Would not send: ${report.refused ?? report.route.explain}`} to ${report.endpointHost} (${report.model}), ` +
        `ceiling ${report.ceilingCostUsd === null ? 'unknown' : `$${report.ceilingCostUsd.toFixed(6)}`}, ${report.redactions.length} redaction(s).\n`);
      for (const m of report.messages) out(`--- ${m.role}\n${m.content}\n`);
    }
    return 0;
  } finally {
    rmSync(ledgerDir, { recursive: true, force: true });
  }
}

/**
 * The local server token (vLLM --api-key, LiteLLM, an auth proxy) from TANDEM_LOCAL_TOKEN. On the
 * command line the endpoint is the user's own flag or settings file, so the token goes to it.
 */
function localTokenFromEnv(): string | undefined {
  const t = process.env.TANDEM_LOCAL_TOKEN?.trim();
  return t ? t : undefined;
}

function readSettingsFile(file: string): Record<string, unknown> {
  return rawSettingsFromJson(readFileSync(file, 'utf8'));
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
    process.stderr.write(`tandem: ${e?.message ?? e}\n`);
    process.exitCode = 1;
  });
}
