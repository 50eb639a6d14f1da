// Command-line entry over the same engine code the editor runs (no vscode): users debug their setup
// with it, tests and the benchmark drive it.
//   node dist/cli.js complete --file PATH --line N --character N [--endpoint URL] [--model NAME]
//                             [--provider ollama|openai-compatible] [--json]
//   node dist/cli.js doctor [--settings PATH] [--endpoint URL] [--model NAME] [--provider P]
//                           [--cloud-base-url URL] [--json]     (API key from OPENAI_API_KEY)
//   node dist/cli.js refactor --file F --range L1:C1-L2:C2 --instruction TEXT --dry-run [--json]
//                             [--settings PATH] [--workspace-settings PATH]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
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
                  [--provider ollama|openai-compatible] [--json]
  tandem doctor [--settings PATH] [--endpoint URL] [--model NAME] [--provider ollama|openai-compatible]
                [--cloud-base-url URL] [--json]
  tandem refactor --file PATH --range L1:C1-L2:C2 --instruction TEXT --dry-run [--json]
                  [--settings PATH] [--workspace-settings PATH]
Lines and characters are 0-based, as in VS Code's API.
refactor --dry-run prints exactly what a cloud refactor would send (messages after redaction, model,
endpoint host, ceiling cost, redactions) and sends nothing. --workspace-settings applies a
repository's .vscode/settings.json as the editor does (it may only tighten).
doctor runs the same checks as "Tandem: Check Setup". --settings reads tandem.* keys from a VS Code
settings.json (your user settings); flags win over it. The API key comes from OPENAI_API_KEY and is
only sent to the base URL of those settings or flags (GET /models, a free call). Exit code 1 when a
check fails.`;

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
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

async function complete(args: string[], out: (s: string) => void): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      file: { type: 'string' }, line: { type: 'string' }, character: { type: 'string' },
      endpoint: { type: 'string' }, model: { type: 'string' }, provider: { type: 'string' }, json: { type: 'boolean' },
    },
  });
  if (!values.file || values.line === undefined || values.character === undefined) {
    out(`${USAGE}\n`);
    return 2;
  }
  const settings = settingsFrom(values);
  const text = readFileSync(values.file, 'utf8');
  const offset = offsetAt(text, Number(values.line), Number(values.character));
  const backend = createLocalBackend(settings);
  const engineSettings = { ...engineSettingsFrom(settings), speculative: 'off' as const };
  const engine = new CompletionEngine({ backend: () => backend, clock: systemClock, settings: () => engineSettings });
  try {
    const outcome = await engine.complete(
      { documentKey: values.file, languageId: languageIdForPath(values.file), text, offset, trigger: 'invoke' },
      new AbortController().signal,
    );
    if (values.json) {
      out(`${JSON.stringify({
        text: outcome.kind === 'shown' ? outcome.text : '',
        outcome: outcome.kind,
        reason: outcome.kind === 'skipped' ? outcome.reason : null,
        ...(outcome.kind === 'skipped' && outcome.detail ? { detail: outcome.detail } : {}),
        timings: outcome.timings ?? null,
      })}\n`);
    } else if (outcome.kind === 'shown') {
      out(`${outcome.text}\n`);
    } else {
      out(`No completion: ${outcome.reason}${outcome.detail ? ` (${outcome.detail})` : ''}\n`);
    }
    return outcome.kind === 'shown' ? 0 : 1;
  } finally {
    engine.dispose();
  }
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
    localBackend: createLocalBackend(settings),
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

function readSettingsFile(file: string): Record<string, unknown> {
  return rawSettingsFromJson(readFileSync(file, 'utf8'));
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
    process.stderr.write(`tandem: ${e?.message ?? e}\n`);
    process.exitCode = 1;
  });
}
