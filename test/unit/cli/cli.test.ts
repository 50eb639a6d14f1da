// The command-line entry (src/cli/cli.ts) over the same engine the editor runs, against the
// loopback Ollama double: what it prints, what it exits with, and what the server received.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import { execFile } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/cli';
import { startOllamaDouble, type OllamaDouble } from '../../doubles/ollamaDouble';

const SOURCE = [
  'export function add(a: number, b: number): number {',
  '  return a + b;',
  '}',
  '',
  'export function mul(a: number, b: number): number {',
  '  ',
  '}',
  '',
].join('\n');

async function run(argv: string[]): Promise<{ code: number; printed: string }> {
  let printed = '';
  const code = await main(argv, (s) => { printed += s; });
  return { code, printed };
}

describe('tandem CLI', function () {
  this.timeout(60_000);
  let double: OllamaDouble;
  let dir: string;
  let file: string;

  before(async () => {
    double = await startOllamaDouble({ schedule: { firstTokenMs: 5, perTokenMs: 1 } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-cli-'));
    file = path.join(dir, 'math.ts');
    fs.writeFileSync(file, SOURCE);
  });

  after(async () => {
    await double.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => double.reset());

  it('prints the completion the model gives at --line/--character, and sends the text around it', async () => {
    // The model returns two lines; the cursor line is empty inside a block, so both may show.
    double.configure({ respond: () => 'const product = a * b;\n  return product;\n' });
    const { code, printed } = await run(['complete', '--file', file, '--line', '5', '--character', '2', '--endpoint', double.url]);
    assert.equal(code, 0, printed);
    assert.equal(printed, 'const product = a * b;\n  return product;\n');
    const gen = double.generations.find((g) => g.request.path === '/api/generate');
    assert.ok(gen, 'the server received a generate request');
    assert.equal(gen.request.body.model, 'qwen2.5-coder:1.5b-base');
    assert.ok(String(gen.request.body.prompt).endsWith('export function mul(a: number, b: number): number {\n  '), gen.request.body.prompt);
    assert.equal(gen.request.body.suffix, '\n}\n');
  });

  it('stops a single-line completion at its newline', async () => {
    // Tokens 20 ms apart: the rest of the reply is still to come when the newline arrives.
    double.configure({ respond: () => ' // the sum\nconsole.log("never shown");\n', schedule: { firstTokenMs: 5, perTokenMs: 20 } });
    const { code, printed } = await run(['complete', '--file', file, '--line', '1', '--character', '15', '--endpoint', double.url]);
    assert.equal(code, 0, printed);
    assert.equal(printed, ' // the sum\n');
    // The client closed the stream at the newline: the server never finished the reply.
    await double.waitFor(() => double.disconnects.length === 1, 2000);
    assert.equal(double.generations.filter((g) => g.request.path === '/api/generate')[0].completed, false);
    double.configure({ schedule: { firstTokenMs: 5, perTokenMs: 1 } });
  });

  it('--json prints one JSON object with text, outcome, reason and timings', async () => {
    double.configure({ respond: () => 'const product = a * b;\n' });
    const { code, printed } = await run(['complete', '--file', file, '--line', '5', '--character', '2', '--endpoint', double.url, '--json']);
    assert.equal(code, 0, printed);
    assert.ok(printed.endsWith('\n') && printed.trim().split('\n').length === 1, 'one line');
    const out = JSON.parse(printed) as Record<string, unknown>;
    assert.deepEqual(Object.keys(out).sort(), ['outcome', 'reason', 'text', 'timings']);
    assert.equal(out.text, 'const product = a * b;');
    assert.equal(out.outcome, 'shown');
    assert.equal(out.reason, null);
    const t = out.timings as Record<string, unknown>;
    for (const k of ['totalMs', 'queuedMs', 'overheadMs', 'requestMs', 'modelMs']) assert.equal(typeof t[k], 'number', k);
    assert.ok((t.totalMs as number) >= (t.modelMs as number));
  });

  it('says why there is no completion, and exits 1, when the server is not running', async () => {
    const { code, printed } = await run(['complete', '--file', file, '--line', '5', '--character', '2', '--endpoint', 'http://127.0.0.1:9', '--json']);
    assert.equal(code, 1);
    const out = JSON.parse(printed) as Record<string, unknown>;
    assert.equal(out.outcome, 'skipped');
    assert.equal(out.reason, 'backendDown');
    assert.equal(out.text, '');
    const plain = await run(['complete', '--file', file, '--line', '5', '--character', '2', '--endpoint', 'http://127.0.0.1:9']);
    assert.equal(plain.code, 1);
    assert.match(plain.printed, /^No completion: backendDown/);
  });

  it('prints usage and exits 2 when a required option is missing or the command is unknown', async () => {
    const missing = await run(['complete', '--file', file, '--line', '5']);
    assert.equal(missing.code, 2);
    assert.match(missing.printed, /^Usage:/);
    assert.match(missing.printed, /--character N/);
    const unknown = await run(['completer']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.printed, /^Usage:/);
    const help = await run(['--help']);
    assert.equal(help.code, 0);
    assert.equal(double.requests.length, 0, 'no request for a usage error');
  });

  describe('issue 11: exclusions, timeout, token cap, JSON on stdout, bad flags', () => {
    it('does not complete inside an excluded file, nor through a symlink to one, and sends nothing', async () => {
      const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-cli-ws-'));
      try {
        fs.writeFileSync(path.join(ws, '.env'), 'DB_PASSWORD=\n');
        fs.symlinkSync(path.join(ws, '.env'), path.join(ws, 'safe.txt'));
        fs.writeFileSync(path.join(ws, 'notes.md'), 'x\n');
        fs.writeFileSync(path.join(ws, '.tandemignore'), 'notes.md\n');
        for (const name of ['.env', 'safe.txt', 'notes.md']) {
          const r = await run(['complete', '--file', path.join(ws, name), '--line', '0', '--character', '0', '--endpoint', double.url, '--workspace', ws, '--json']);
          assert.equal(r.code, 1, name);
          const out = JSON.parse(r.printed) as Record<string, unknown>;
          assert.equal(out.reason, 'excludedFile', name);
        }
        assert.equal(double.requests.filter((q) => q.path === '/api/generate').length, 0);
      } finally {
        fs.rmSync(ws, { recursive: true, force: true });
      }
    });

    it('gives up after --timeout-ms against a server that never answers, with one JSON object', async () => {
      double.configure({ fault: { kind: 'hang' } });
      try {
        const started = Date.now();
        const r = await run(['complete', '--file', file, '--line', '5', '--character', '2', '--endpoint', double.url, '--timeout-ms', '300', '--json']);
        assert.equal(r.code, 1);
        const out = JSON.parse(r.printed) as Record<string, unknown>;
        assert.equal(out.reason, 'timeout');
        assert.ok(Date.now() - started < 5000, 'did not wait for the server');
      } finally {
        double.configure({ fault: { kind: 'none' } });
      }
    });

    it('stops an endless stream at --max-tokens on the client side', async () => {
      double.configure({ respond: () => '  return ' + 'a + '.repeat(2000) + 'b;\n', schedule: { firstTokenMs: 1, perTokenMs: 1 } });
      const r = await run(['complete', '--file', file, '--line', '5', '--character', '2', '--endpoint', double.url, '--max-tokens', '20', '--json']);
      const gen = double.generations.find((g) => g.request.path === '/api/generate');
      assert.ok(gen);
      assert.ok(Number(gen.request.body.options?.num_predict) <= 20, 'the server is asked for at most the cap');
      const out = JSON.parse(r.printed) as Record<string, unknown>;
      assert.ok(String(out.text).length < 200, String(out.text));
    });

    it('--json prints exactly one JSON object on stdout after an HTTP error, in its own process', async () => {
      // A server answering 500 with a non-JSON body: the ollama client console.logs "Failed to parse
      // error response as JSON", which would land on stdout next to the JSON object.
      const server = http.createServer((_req, res) => { res.writeHead(500, { 'content-type': 'text/plain' }); res.end('upstream exploded'); });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      const url = `http://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}`;
      try {
        // The real command in its own process: stdout is what a user's `tandem complete --json | jq` reads.
        // Asynchronous: this process serves the double while the command runs.
        const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((ok) => {
          execFile(process.execPath, ['-r', 'tsx/cjs', path.join(__dirname, '../../../src/cli/cli.ts'), 'complete', '--file', file, '--line', '5', '--character', '2', '--endpoint', url, '--json'],
            { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => ok({ status: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }));
        });
        assert.equal(r.status, 1, r.stderr);
        assert.equal(r.stdout.trim().split('\n').length, 1, r.stdout);
        const out = JSON.parse(r.stdout) as Record<string, unknown>;
        assert.notEqual(out.outcome, 'shown');
      } finally {
        server.close();
      }
    });

    it('exits 2 and names the bad value for bad flags and an invalid --endpoint', async () => {
      const cases: Array<[string[], RegExp]> = [
        [['--endpoint', 'not a url'], /not a url/],
        [['--endpoint', 'ftp://127.0.0.1:1'], /ftp:\/\/127\.0\.0\.1:1/],
        [['--timeout-ms', 'soon'], /soon/],
        [['--max-tokens', '0'], /--max-tokens.*"0"/],
        [['--provider', 'llamafile'], /llamafile/],
        [['--bogus'], /--bogus/],
      ];
      for (const [extra, named] of cases) {
        const r = await run(['complete', '--file', file, '--line', '5', '--character', '2', ...extra]);
        assert.equal(r.code, 2, extra.join(' '));
        assert.match(r.printed, named);
        const j = await run(['complete', '--file', file, '--line', '5', '--character', '2', ...extra, '--json']);
        assert.equal(j.code, 2);
        const out = JSON.parse(j.printed) as Record<string, unknown>;
        assert.equal(out.reason, 'badArguments');
        assert.match(String(out.detail), named);
      }
      const badLine = await run(['complete', '--file', file, '--line', '-1', '--character', '2']);
      assert.equal(badLine.code, 2);
      assert.equal(double.requests.length, 0, 'nothing was sent');
    });
  });
});
