// Command-line entry over the same engine code the editor runs (no vscode): users debug their setup
// with it, tests and the benchmark drive it.
//   node dist/cli.js complete --file PATH --line N --character N [--endpoint URL] [--model NAME]
//                             [--provider ollama|openai-compatible] [--json]
//   node dist/cli.js doctor [--settings PATH] [--endpoint URL] [--model NAME] [--provider P]
//                           [--cloud-base-url URL] [--json]     (API key from OPENAI_API_KEY)
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { rawSettingsFromJson, readSettings, readSettingsSnapshot, type TandemSettings } from '../core/settings';
import { createLocalBackend } from '../core/backends/createLocalBackend';
import { CompletionEngine } from '../core/completion/completionEngine';
import { engineSettingsFrom } from '../core/completion/engineSettings';
import { systemClock } from '../core/shared/clock';
import { languageIdForPath } from '../core/completion/languageIds';
import { offsetAt } from '../core/completion/textPosition';
import { formatDoctorText, runDoctor } from '../core/setup/doctor';

const USAGE = `Usage:
  tandem complete --file PATH --line N --character N [--endpoint URL] [--model NAME]
                  [--provider ollama|openai-compatible] [--json]
  tandem doctor [--settings PATH] [--endpoint URL] [--model NAME] [--provider ollama|openai-compatible]
                [--cloud-base-url URL] [--json]
Lines and characters are 0-based, as in VS Code's API.
doctor runs the same checks as "Tandem: Check Setup". --settings reads tandem.* keys from a VS Code
settings.json (your user settings); flags win over it. The API key comes from OPENAI_API_KEY and is
only sent to the base URL of those settings or flags (GET /models, a free call). Exit code 1 when a
check fails.`;

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'complete') return complete(rest, out);
  if (command === 'doctor') return doctor(rest, out);
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

function readSettingsFile(file: string): Record<string, unknown> {
  return rawSettingsFromJson(readFileSync(file, 'utf8'));
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
    process.stderr.write(`tandem: ${e?.message ?? e}\n`);
    process.exitCode = 1;
  });
}
