// The process protocol the benchmark's doubles share (bench/benchDouble.ts, bench/teamDouble.ts;
// driven through JsonLineProcess in bench/processes.ts): the config is one JSON argument, the first
// stdout line is {"url": ...} once the server listens, then every stdin line is one JSON command
// {"op": ...} answered by one stdout line, {"ok":true, ...fields} or {"ok":false,"error":...}. The
// process lives until stdin closes (so it dies with its driver) or SIGTERM.
import * as readline from 'node:readline';

export interface ServedDouble {
  url: string;
  close(): Promise<void>;
}

/** Each op returns the fields of its {"ok":true, ...} answer, if any. */
export type DoubleCommands = Record<string, () => Record<string, unknown> | void>;

export async function runDoubleProcess<Config>(
  name: string,
  arg: string | undefined,
  start: (cfg: Config) => Promise<{ double: ServedDouble; commands: DoubleCommands }>,
): Promise<void> {
  if (!arg) {
    process.stderr.write(`usage: ${name} <config JSON>\n`);
    process.exit(2);
  }
  const { double, commands } = await start(JSON.parse(arg) as Config);
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (line.trim() === '') return;
    const op = (JSON.parse(line) as { op?: string }).op;
    const command = op !== undefined && Object.hasOwn(commands, op) ? commands[op] : undefined;
    const answer = command ? { ok: true, ...command() } : { ok: false, error: `unknown op ${op}` };
    process.stdout.write(`${JSON.stringify(answer)}\n`);
  });
  const stop = (): void => void double.close().then(() => process.exit(0));
  rl.on('close', stop);
  process.on('SIGTERM', stop);
  process.stdout.write(`${JSON.stringify({ url: double.url })}\n`);
}
