// Command-line entry over the same engine code the editor runs (no vscode): users debug their setup
// with it, tests and the benchmark drive it.
//   node dist/cli.js complete --file PATH --line N --character N [--endpoint URL] [--model NAME]
//                             [--provider ollama|openai-compatible] [--json]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readSettings, type TandemSettings } from '../core/settings';
import { createLocalBackend } from '../core/backends/createLocalBackend';
import { CompletionEngine } from '../core/completion/completionEngine';
import { engineSettingsFrom } from '../core/completion/engineSettings';
import { systemClock } from '../core/completion/clock';
import { languageIdForPath } from '../core/completion/languageIds';
import { offsetAt } from '../core/completion/textPosition';

const USAGE = `Usage:
  tandem complete --file PATH --line N --character N [--endpoint URL] [--model NAME]
                  [--provider ollama|openai-compatible] [--json]
Lines and characters are 0-based, as in VS Code's API.`;

export async function main(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'complete') return complete(rest, out);
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

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (e) => {
    process.stderr.write(`tandem: ${e?.message ?? e}\n`);
    process.exitCode = 1;
  });
}
