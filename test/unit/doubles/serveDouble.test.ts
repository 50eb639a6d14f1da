// The standalone runner: one real child process per lifetime rule (stdin closing, SIGTERM), and
// the config/command handling in-process.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { parseServeConfig, runCommand, startFromConfig } from '../../doubles/serveDouble';

const ROOT = path.resolve(__dirname, '../../..');

function spawnServe(config: object): { child: ChildProcessWithoutNullStreams; lines: AsyncIterator<string>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', 'test/doubles/serveDouble.ts', JSON.stringify(config)], { cwd: ROOT, stdio: 'pipe' });
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, exited };
}

async function nextJson(lines: AsyncIterator<string>): Promise<Record<string, unknown>> {
  const r = await lines.next();
  assert.equal(r.done, false, 'the process ended before answering');
  return JSON.parse(r.value) as Record<string, unknown>;
}

describe('serveDouble', () => {
  it('prints its url, answers commands, and exits 0 when stdin closes', async function () {
    this.timeout(20_000);
    const { child, lines, exited } = spawnServe({ kind: 'ollama', reply: 'fixed', options: { version: '0.12.7' } });
    try {
      const hello = await nextJson(lines);
      assert.equal(hello.kind, 'ollama');
      assert.match(String(hello.url), /^http:\/\/127\.0\.0\.1:\d+$/);
      const v = await (await fetch(`${hello.url}/api/version`)).json();
      assert.deepEqual(v, { version: '0.12.7' });
      const gen = await (await fetch(`${hello.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model: 'qwen2.5-coder:1.5b-base', prompt: 'x', stream: false }) })).json();
      assert.equal((gen as { response: string }).response, 'fixed');
      child.stdin.write('{"op":"records"}\n');
      const rec = await nextJson(lines);
      assert.equal((rec.requests as unknown[]).length, 2);
      assert.equal((rec.generations as Array<{ completed: boolean }>)[0].completed, true);
      child.stdin.end();
      assert.equal(await exited, 0);
    } finally {
      child.kill();
    }
  });

  it('exits 0 on SIGTERM', async function () {
    this.timeout(20_000);
    const { child, lines, exited } = spawnServe({ kind: 'openai' });
    try {
      const hello = await nextJson(lines);
      const models = await (await fetch(`${hello.url}/v1/models`)).json() as { data: Array<{ id: string }> };
      assert.ok(models.data.length > 0);
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      child.kill();
    }
  });

  it('parses inline config and rejects an unknown kind', () => {
    assert.equal(parseServeConfig('{"kind":"openai"}').kind, 'openai');
    assert.throws(() => parseServeConfig('{"kind":"llama"}'), /kind must be/);
    assert.throws(() => parseServeConfig(undefined), /usage/);
  });

  it('runCommand configures, resets and reports errors as data', async () => {
    const served = await startFromConfig({ kind: 'openai' });
    try {
      assert.deepEqual(runCommand(served, '{"op":"configure","reply":"hello","options":{"models":["m1"]}}'), { ok: true });
      const res = await fetch(`${served.double.url}/v1/chat/completions`, {
        method: 'POST', body: JSON.stringify({ model: 'm1', messages: [{ role: 'user', content: 'x' }] }),
      });
      const body = await res.json() as { choices: Array<{ message: { content: string } }> };
      assert.equal(body.choices[0].message.content, 'hello');
      assert.equal(served.double.requests.length, 1);
      assert.deepEqual(runCommand(served, '{"op":"reset"}'), { ok: true });
      assert.equal(served.double.requests.length, 0);
      assert.equal((runCommand(served, 'nope') as { ok: boolean }).ok, false);
      assert.equal((runCommand(served, '{"op":"dance"}') as { ok: boolean }).ok, false);
    } finally {
      await served.double.close();
    }
  });
});
