import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../../src/cli/cli';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollamaDouble';
import { startOpenAiDouble, type OpenAiDouble } from '../../doubles/openaiDouble';

const KEY = 'sk-cli-test-0123456789';

describe('tandem doctor (CLI)', () => {
  let ollama: OllamaDouble;
  let openai: OpenAiDouble;
  let dir: string;

  before(async () => {
    ollama = await startOllamaDouble({ schedule: { firstTokenMs: 2, perTokenMs: 1 } });
    openai = await startOpenAiDouble({ apiKey: KEY });
    dir = mkdtempSync(join(tmpdir(), 'tandem-doctor-'));
  });
  after(async () => {
    await ollama.close();
    await openai.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(args: string[], key: string | null = KEY): Promise<{ code: number; out: string }> {
    const saved = process.env.OPENAI_API_KEY;
    if (key === null) delete process.env.OPENAI_API_KEY;
    else process.env.OPENAI_API_KEY = key;
    let out = '';
    try {
      const code = await main(['doctor', ...args], (s) => { out += s; });
      return { code, out };
    } finally {
      if (saved === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved;
    }
  }

  it('reads a VS Code settings.json (with comments) and passes against a healthy setup: exit 0', async () => {
    const settings = join(dir, 'settings.json');
    writeFileSync(settings, `{
      // user settings, as VS Code writes them
      "editor.fontSize": 14,
      "tandem.local.endpoint": "${ollama.url}",
      "tandem.cloud.baseUrl": "${openai.url}/v1", /* the key goes here */
      "tandem.cloud.monthlyBudgetUsd": 25,
    }`);
    const { code, out } = await run(['--settings', settings]);
    assert.equal(code, 0, out);
    assert.match(out, /✔ OK {3}Local model server: Ollama answers at http:\/\/127\.0\.0\.1:\d+ \(version 0\.12\.6\)/);
    assert.match(out, /monthly \$25\.00/);
    assert.match(out, /Overall: OK/);
    assert.ok(!out.includes(KEY));
    assert.equal(openai.requests.at(-1)?.headers.authorization, `Bearer ${KEY}`);
  });

  it('--json prints the checks; a failing check exits 1', async () => {
    const { code, out } = await run(['--endpoint', ollama.url, '--model', 'missing:1b', '--cloud-base-url', `${openai.url}/v1`, '--json']);
    assert.equal(code, 1);
    const report = JSON.parse(out) as { overall: string; checks: Array<{ id: string; status: string; fix?: { shellCommand?: string } }> };
    assert.equal(report.overall, 'fail');
    const model = report.checks.find((c) => c.id === 'local.model');
    assert.equal(model?.status, 'fail');
    assert.equal(model?.fix?.shellCommand, "ollama pull 'missing:1b'");
  });

  it('without OPENAI_API_KEY: a warning, not a failure', async () => {
    const { code, out } = await run(['--endpoint', ollama.url, '--cloud-base-url', `${openai.url}/v1`], null);
    assert.equal(code, 0, out);
    assert.match(out, /! WARN OpenAI API key: No API key is stored/);
  });

  it('runs as a process: server down exits 1 and says how to start it', async function () {
    this.timeout(30_000);
    const cli = resolve(__dirname, '../../../src/cli/cli.ts');
    const r = await new Promise<{ code: number | null; stdout: string }>((done) => {
      execFile(process.execPath, ['--require', 'tsx/cjs', cli, 'doctor', '--endpoint', 'http://127.0.0.1:9'],
        { env: { ...process.env, OPENAI_API_KEY: '' } }, (err, stdout) => done({ code: err ? (err as { code?: number }).code ?? 1 : 0, stdout }));
    });
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /✖ FAIL Local model server: Ollama is not reachable at http:\/\/127\.0\.0\.1:9/);
    assert.match(r.stdout, /fix: run `ollama serve`/);
  });
});
