// The command-line entry (src/cli/cli.ts) over the same engine the editor runs, against the
// loopback Ollama double: what it prints, what it exits with, and what the server received.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
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
  this.timeout(10_000);
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
});
