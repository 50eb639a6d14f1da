// `tandem refactor --dry-run --json`: exactly what a cloud refactor would send, nothing sent.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../../src/cli/cli';
import { countChatTokens } from '../../../src/core/cost/tokenCount';

describe('cli: refactor --dry-run', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-dry-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function run(argv: string[]) {
    let printed = '';
    const code = await main(argv, (s) => { printed += s; });
    return { code, printed };
  }

  it('prints the redacted messages, model, host, ceiling and redactions as one JSON object', async () => {
    const file = path.join(dir, 'shapes.ts');
    const secret = 'ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8';
    fs.writeFileSync(file, `const token = "${secret}";\nexport function area(r: number) {\n  return 3.14 * r * r;\n}\n`);
    const { code, printed } = await run(['refactor', '--file', file, '--range', '2:0-2:22', '--instruction', 'Use Math.PI', '--dry-run', '--json']);
    assert.equal(code, 0);
    const report = JSON.parse(printed);
    assert.equal(report.wouldSend, true);
    assert.equal(report.model, 'gpt-5.4-mini');
    assert.equal(report.endpointHost, 'api.openai.com');
    assert.equal(report.redactions.length, 1);
    assert.ok(!printed.includes(secret.slice(4, 16)), 'no fragment of the secret is printed');
    assert.match(report.messages[1].content, /return 3\.14 \* r \* r;/);
    assert.equal(report.inputTokens, countChatTokens(report.messages), 'the ceiling counts what is printed');
    assert.ok(report.ceilingCostUsd > 0);
  });

  it('a workspace settings file may make it local-only: nothing would be sent', async () => {
    const file = path.join(dir, 'a.ts');
    fs.writeFileSync(file, 'let x = 1;\n');
    const ws = path.join(dir, 'settings.json');
    fs.writeFileSync(ws, '{ "tandem.privacy.mode": "localOnly" }');
    const { code, printed } = await run(['refactor', '--file', file, '--range', '0:0-0:10', '--instruction', 'x', '--dry-run', '--json', '--workspace-settings', ws]);
    assert.equal(code, 0);
    const report = JSON.parse(printed);
    assert.equal(report.wouldSend, false);
    assert.deepEqual(report.messages, []);
  });

  it('bad flags exit 2 naming the bad value', async () => {
    const { code, printed } = await run(['refactor', '--file', 'x.ts', '--range', '1-2', '--instruction', 'x', '--dry-run']);
    assert.equal(code, 2);
    assert.match(printed, /bad --range '1-2'/);
  });
});
