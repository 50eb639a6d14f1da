// Child processes of the benchmark: the model double(s) and the trace workers, each answering one
// JSON line per request on stdout.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { BenchDoubleConfig, GenerationSummary } from './benchDouble';

const ROOT = path.resolve(__dirname, '..');

export class JsonLineProcess {
  private readonly lines: AsyncIterator<string>;
  readonly exited: Promise<number | null>;

  constructor(readonly child: ChildProcessWithoutNullStreams, readonly label: string) {
    this.lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    child.stderr.on('data', (d) => process.stderr.write(`[${label}] ${d}`));
  }

  static spawn(script: string, arg: string, label: string): JsonLineProcess {
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', script, arg], { cwd: ROOT, stdio: 'pipe' });
    return new JsonLineProcess(child, label);
  }

  async next<T>(): Promise<T> {
    const r = await this.lines.next();
    if (r.done) throw new Error(`${this.label} ended without answering`);
    return JSON.parse(r.value) as T;
  }

  async ask<T>(cmd: object): Promise<T> {
    this.child.stdin.write(`${JSON.stringify(cmd)}\n`);
    return this.next<T>();
  }

  async close(): Promise<void> {
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

export interface DoubleHandle {
  url: string;
  summary(): Promise<{ generations: GenerationSummary[]; disconnects: number }>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function spawnBenchDouble(cfg: BenchDoubleConfig, label = 'double'): Promise<DoubleHandle> {
  const p = JsonLineProcess.spawn('bench/benchDouble.ts', JSON.stringify(cfg), label);
  const hello = await p.next<{ url: string }>();
  return {
    url: hello.url,
    summary: () => p.ask({ op: 'summary' }),
    reset: async () => { await p.ask({ op: 'reset' }); },
    close: () => p.close(),
  };
}
