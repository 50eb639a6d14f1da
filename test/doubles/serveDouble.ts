// Runs one double as its own process, for benchmarks and manual runs against a real editor:
//   node --require tsx/cjs test/doubles/serveDouble.ts '{"kind":"ollama","options":{"schedule":{"firstTokenMs":80,"perTokenMs":12}}}'
//   node --require tsx/cjs test/doubles/serveDouble.ts config.json
// Prints one line {"url": ..., "port": ..., "kind": ...} on stdout once listening, then stays up until
// stdin closes (so it dies with the process that spawned it) or SIGTERM/SIGINT. While up it reads
// one JSON command per stdin line and answers each with one JSON line:
//   {"op":"configure","options":{...},"reply":"..."}   {"op":"reset"}   {"op":"records"}
// Options are the JSON-expressible part of OllamaDoubleOptions / OpenAiDoubleOptions; `reply`
// stands in for `respond` (functions cannot travel in JSON): a fixed text for every request.
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { startOllamaDouble } from './ollamaDouble';
import type { OllamaDouble, OllamaDoubleOptions } from './ollamaDouble';
import { startOpenAiDouble } from './openaiDouble';
import type { OpenAiDouble, OpenAiDoubleOptions } from './openaiDouble';

export type ServeConfig =
  | { kind: 'ollama'; options?: OllamaDoubleOptions; reply?: string }
  | { kind: 'openai'; options?: OpenAiDoubleOptions; reply?: string };

export type ServedDouble = { kind: 'ollama'; double: OllamaDouble } | { kind: 'openai'; double: OpenAiDouble };

export function parseServeConfig(arg: string | undefined): ServeConfig {
  if (arg === undefined || arg.trim() === '') throw new Error('usage: serveDouble <config.json | inline JSON>');
  const text = arg.trim().startsWith('{') ? arg : fs.readFileSync(arg, 'utf8');
  const cfg = JSON.parse(text) as ServeConfig;
  if (cfg.kind !== 'ollama' && cfg.kind !== 'openai') throw new Error(`config.kind must be "ollama" or "openai", got ${JSON.stringify((cfg as { kind?: unknown }).kind)}`);
  return cfg;
}

const withReply = <T extends object>(options: T | undefined, reply: string | undefined): T =>
  ({ ...(options ?? {}), ...(reply !== undefined ? { respond: () => reply } : {}) }) as T;

export async function startFromConfig(cfg: ServeConfig): Promise<ServedDouble> {
  return cfg.kind === 'ollama'
    ? { kind: 'ollama', double: await startOllamaDouble(withReply(cfg.options, cfg.reply)) }
    : { kind: 'openai', double: await startOpenAiDouble(withReply(cfg.options, cfg.reply)) };
}

/** One stdin command -> one answer. */
export function runCommand(served: ServedDouble, line: string): unknown {
  let cmd: { op?: string; options?: object; reply?: string };
  try {
    cmd = JSON.parse(line);
  } catch (e) {
    return { ok: false, error: `not JSON: ${(e as Error).message}` };
  }
  switch (cmd.op) {
    case 'configure':
      if (served.kind === 'ollama') served.double.configure(withReply(cmd.options as OllamaDoubleOptions, cmd.reply));
      else served.double.configure(withReply(cmd.options as OpenAiDoubleOptions, cmd.reply));
      return { ok: true };
    case 'reset':
      served.double.reset();
      return { ok: true };
    case 'records':
      return {
        ok: true,
        requests: served.double.requests,
        generations: served.double.generations.map(({ request, ...rest }) => ({ ...rest, path: request.path, receivedAt: request.receivedAt })),
        disconnects: served.double.disconnects,
      };
    default:
      return { ok: false, error: `unknown op ${JSON.stringify(cmd.op)}` };
  }
}

async function main(argv: string[]): Promise<void> {
  let cfg: ServeConfig;
  try {
    cfg = parseServeConfig(argv[0]);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(2);
  }
  const served = await startFromConfig(cfg);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void served.double.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (line.trim() === '') return;
    process.stdout.write(`${JSON.stringify(runCommand(served, line))}\n`);
  });
  rl.on('close', stop);
  process.stdout.write(`${JSON.stringify({ url: served.double.url, port: served.double.port, kind: served.kind })}\n`);
}

if (require.main === module) void main(process.argv.slice(2));
