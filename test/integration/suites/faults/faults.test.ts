// Fault suite in a real VS Code with Tandem installed from the .vsix, against the loopback Ollama
// double failing in every way a local server does: down (and back on the same port), garbage
// NDJSON, a stream cut mid-way, a missing model, a model without FIM, a slow model. In each: every
// keystroke lands (the editor stays responsive), the status bar says what is wrong, toasts are
// counted (no storm), requests reaching the server are counted (the circuit breaker), and it
// recovers without a reload.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startOpenAiDouble, type OpenAiDouble } from '../../../doubles/openaiDouble';
import { startOllamaDouble, type OllamaDouble, type OllamaDoubleOptions } from '../../../doubles/ollamaDouble';
import { eventually, query, screenshot } from '../../support/driver';
import { countToasts, ghostText, openFileAt, setUserSetting, tandemStatusText, typeText } from '../../support/workbench';

const REPLY = 'const recovered = computeAnswer(42);';
const OPTIONS: OllamaDoubleOptions = { schedule: { firstTokenMs: 20, perTokenMs: 5 }, respond: () => REPLY };

const ORIGINAL = 'export function add(a: number, b: number): number {\n  return a + b;\n}\n\n';

/** math.ts as the workspace has it, saved, with the cursor on the empty last line. */
async function freshMath(): Promise<vscode.TextEditor> {
  const editor = await openFileAt('src/math.ts', 0, 0);
  const doc = editor.document;
  if (doc.getText() !== ORIGINAL) {
    await editor.edit((e) => e.replace(new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), ORIGINAL));
    await doc.save();
  }
  const pos = new vscode.Position(4, 0);
  editor.selection = new vscode.Selection(pos, pos);
  return editor;
}

async function statusMatches(re: RegExp, timeoutMs = 40_000): Promise<string> {
  return eventually(`status ${re}`, async () => {
    const t = await tandemStatusText();
    return re.test(t) ? t : undefined;
  }, timeoutMs);
}

/** Bursts of typing with short pauses, as a person writes a few statements. */
async function typeBursts(editor: vscode.TextEditor, bursts: string[]): Promise<string> {
  let all = '';
  for (const b of bursts) {
    await typeText(editor, b, 40);
    all += b;
    await new Promise((r) => setTimeout(r, 700));
  }
  return all;
}

describe('Tandem under local server faults', function () {
  let ollama: OllamaDouble;
  let port: number;

  before(async function () {
    ollama = await startOllamaDouble(OPTIONS);
    port = ollama.port;
    await vscode.extensions.getExtension('tandem-dev.tandem')?.activate();
    await setUserSetting('local.endpoint', ollama.url);
    await statusMatches(/ready/i);
  });

  after(async function () {
    await ollama?.close();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      await screenshot(`faults-failed-${this.currentTest.title.slice(0, 40)}`).catch(() => undefined);
      console.log(`status: ${await tandemStatusText()}`);
      const { readdirSync, readFileSync, statSync } = await import('node:fs');
      const { join, dirname } = await import('node:path');
      const walk = (d: string): string[] => readdirSync(d).flatMap((f) => { const p = join(d, f); return statSync(p).isDirectory() ? walk(p) : [p]; });
      const logs = walk(join(dirname(dirname(process.env.TANDEM_USER_SETTINGS ?? '')), 'logs')).filter((f) => /Tandem\.log$/.test(f));
      for (const f of logs) console.log(`--- ${f}\n${readFileSync(f, 'utf8').split('\n').slice(-40).join('\n')}`);
    }
    // A failed test must not leave the server down for the next one.
    const up = await fetch(`http://127.0.0.1:${port}/api/version`).then(() => true, () => false);
    if (!up) ollama = await startOllamaDouble({ ...OPTIONS, port });
    ollama.configure({ ...OPTIONS, fault: { kind: 'none' }, models: undefined });
    await vscode.commands.executeCommand('notifications.clearAll');
    await freshMath();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  async function backToHealthy(): Promise<void> {
    ollama.configure({ ...OPTIONS, fault: { kind: 'none' }, models: undefined });
    await statusMatches(/ready/i);
  }

  it('server down: "offline", no popup for any keystroke, and back to ghost text when it restarts on the same port', async function () {
    await ollama.close();
    const editor = await freshMath();
    const before = editor.document.getText();
    const { result: typed, maxAtOnce, messages } = await countToasts(() => typeBursts(editor, ['let a = 1;', ' let b = 2;', ' let c = a + b;']));
    assert.equal(editor.document.getText(), before.slice(0, editor.document.offsetAt(new vscode.Position(4, 0))) + typed + before.slice(editor.document.offsetAt(new vscode.Position(4, 0))),
      'every keystroke landed');
    assert.equal(maxAtOnce, 0, `no toast; saw ${JSON.stringify(messages)}`);
    assert.equal(messages.length, 0, `no notification at all; saw ${JSON.stringify(messages)}`);
    const status = await statusMatches(/offline/i);
    assert.match(status, /not reachable/);
    await screenshot('faults-offline');

    // The server comes back where it was: no reload, no settings change.
    ollama = await startOllamaDouble({ ...OPTIONS, port });
    await statusMatches(/ready/i, 45_000);
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await eventually('ghost text after recovery', async () => ((await ghostText()).includes('computeAnswer') ? true : undefined), 20_000);
    assert.ok(ollama.generations.length >= 1);
  });

  it('server down and the user asks explicitly: the reason in the status bar for a moment, still no popup', async function () {
    await ollama.close();
    await freshMath();
    const { messages } = await countToasts(async () => {
      for (let i = 0; i < 4; i++) {
        await vscode.commands.executeCommand('tandem.inline.trigger');
        await new Promise((r) => setTimeout(r, 600));
      }
      return eventually('the status bar message', async () => {
        const all = (await query('.statusbar-item')).map((n) => `${n.text} ${n.aria}`).join(' | ');
        return /no completion, the local model server .* is not reachable/.test(all) ? all : undefined;
      }, 10_000);
    });
    assert.equal(messages.length, 0, `no popup: ${JSON.stringify(messages)}`);
    await screenshot('faults-offline-explicit');
    ollama = await startOllamaDouble({ ...OPTIONS, port });
    await statusMatches(/ready/i, 45_000);
  });

  it('garbage NDJSON: no ghost text, an error status, at most one message, and few requests', async function () {
    ollama.configure({ fault: { kind: 'garbage' } });
    ollama.reset();
    const editor = await freshMath();
    const { messages, maxAtOnce } = await countToasts(() => typeBursts(editor, ['let x = 1;', ' let y = 2;', ' let z = 3;', ' let w = 4;']));
    assert.ok(maxAtOnce <= 1 && messages.length <= 1, `toasts: ${JSON.stringify(messages)}`);
    assert.equal(await ghostText(), '', 'no ghost text from garbage');
    await statusMatches(/error/i);
    const generations = ollama.generations.length;
    // 40 keystrokes over ~6 s: the breaker lets ~4 through (backoff 1, 2, 4 s), never one per keystroke.
    assert.ok(generations >= 1 && generations <= 8, `requests reaching the server: ${generations}`);
    await screenshot('faults-garbage');
    await backToHealthy();
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await eventually('ghost text after the garbage stopped', async () => ((await ghostText()).includes('computeAnswer') ? true : undefined), 20_000);
  });

  it('a stream cut mid-way: no ghost text, no new popup, and recovery', async function () {
    ollama.configure({ fault: { kind: 'cutMidStream', afterTokens: 2 } });
    ollama.reset();
    const editor = await freshMath();
    const { messages } = await countToasts(async () => {
      await typeBursts(editor, ['let cut = ']);
      await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
      await new Promise((r) => setTimeout(r, 1500));
    });
    assert.ok(messages.length <= 1, `toasts: ${JSON.stringify(messages)}`);
    assert.ok(!(await ghostText()).includes('computeAnswer'), 'nothing from a cut stream is shown');
    assert.ok(ollama.generations.length >= 1);
    await backToHealthy();
  });

  it('a missing model: "model missing" while typing, the pull command when asked explicitly, never a popup', async function () {
    await setUserSetting('local.model', 'qwen2.5-coder:7b-base');
    await statusMatches(/model missing/i);
    const editor = await freshMath();
    const typing = await countToasts(() => typeBursts(editor, ['let m = 1;', ' let n = 2;']));
    assert.equal(typing.messages.length, 0, JSON.stringify(typing.messages));
    await vscode.commands.executeCommand('notifications.clearAll');
    const asked = await countToasts(async () => {
      for (let i = 0; i < 3; i++) {
        await vscode.commands.executeCommand('tandem.inline.trigger');
        await new Promise((r) => setTimeout(r, 600));
      }
      return eventually('the pull command in the status bar', async () => {
        const all = (await query('.statusbar-item')).map((n) => `${n.text} ${n.aria}`).join(' | ');
        return /ollama pull qwen2\.5-coder:7b-base/.test(all) ? all : undefined;
      }, 10_000);
    });
    assert.equal(asked.messages.length, 0, `no popup: ${JSON.stringify(asked.messages)}`);
    await screenshot('faults-model-missing');
    await setUserSetting('local.model', undefined);
    await statusMatches(/ready/i);
  });

  it('a model without FIM: "no FIM" in the status bar, no popup', async function () {
    ollama.configure({ models: [{ name: 'qwen2.5-coder:1.5b-base' }, { name: 'llama3.2:1b', capabilities: ['completion'] }] });
    await setUserSetting('local.model', 'llama3.2:1b');
    const { maxAtOnce, result, messages } = await countToasts(async () => {
      const editor = await freshMath();
      await typeBursts(editor, ['let f = 1;']);
      return statusMatches(/no FIM/i);
    });
    assert.match(result, /cannot fill in the middle/);
    assert.equal(maxAtOnce, 0);
    assert.equal(messages.length, 0, JSON.stringify(messages));
    await screenshot('faults-no-fim');
    await setUserSetting('local.model', undefined);
    await backToHealthy();
  });

  it('a slow model: the ghost text still comes, and the status says "slow"', async function () {
    ollama.configure({ schedule: { firstTokenMs: 2200, perTokenMs: 10 } });
    await freshMath();
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await eventually('slow ghost text', async () => ((await ghostText()).includes('computeAnswer') ? true : undefined), 30_000);
    await statusMatches(/slow/i, 10_000);
    await screenshot('faults-slow');
    // Fast again: the next completion clears "slow".
    ollama.configure({ ...OPTIONS });
    const editor = vscode.window.activeTextEditor!;
    await typeText(editor, 'let fast');
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await statusMatches(/ready/i);
  });
});

// Cloud faults through the refactor command (the contract in the refactor feature): each failing
// command shows one clear message, applies nothing, and the spend ledger gets exactly one record
// per request that reached the server, never two, never a lost one.
describe('Tandem under cloud faults (refactor)', function () {
  this.timeout(120_000);
  const KEY = 'sk-faults-suite-0123456789abcdef';
  const NEW_ADD = 'export function add(a: number, b: number): number {\n  const sum = a + b;\n  return sum;\n}';
  const REPLY = `\`\`\`typescript\n${NEW_ADD}\n\`\`\`\n`;
  let cloud: OpenAiDouble;

  interface Summary { kind: string; reason?: string; message?: string }

  function ledgerDir(): string {
    return path.join(path.dirname(process.env.TANDEM_USER_SETTINGS ?? ''), 'globalStorage', 'tandem-dev.tandem', 'ledger');
  }

  /** Every refactor record in the ledger files (all days, claimed ones too), by id. */
  function ledgerRefactorRecords(): Array<{ id: string; requestId?: string; costMicros: number | null }> {
    const dir = ledgerDir();
    if (!fs.existsSync(dir)) return [];
    const out: Array<{ id: string; requestId?: string; costMicros: number | null; command?: string }> = [];
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) {
      for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
        try {
          // A ledger line is the record's JSON, a tab and a checksum (ledger.ts encodeLine).
          const r = JSON.parse(line.split('\t')[0]);
          if (r && r.command === 'refactor') out.push(r);
        } catch { /* torn line */ }
      }
    }
    return out;
  }

  async function selectAdd(): Promise<{ editor: vscode.TextEditor; original: string }> {
    const editor = await freshMath();
    editor.selection = new vscode.Selection(0, 0, 2, 1);
    return { editor, original: editor.document.getText() };
  }

  const chats = () => cloud.requests.filter((r) => r.path === '/v1/chat/completions');

  before(async function () {
    cloud = await startOpenAiDouble({ apiKey: KEY, schedule: { firstTokenMs: 5, perTokenMs: 1 }, respond: () => REPLY });
    await setUserSetting('cloud.baseUrl', `${cloud.url}/v1`);
    await setUserSetting('cloud.timeoutSeconds', 5);
    await vscode.commands.executeCommand('tandem.setApiKey', KEY);
  });

  after(async function () {
    await setUserSetting('cloud.timeoutSeconds', undefined);
    await cloud?.close();
  });

  beforeEach(function () {
    cloud.configure({ fault: { kind: 'none' }, respond: () => REPLY });
    cloud.reset();
  });

  afterEach(async function () {
    await vscode.commands.executeCommand('tandem.refactor.rejectPreview');
    await vscode.commands.executeCommand('notifications.clearAll');
    await freshMath();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  const cases = [
    { name: '401 (rejected key)', fault: { kind: 'status', status: 401 } as const, reason: 'unauthorized', runs: 1 },
    { name: '429 storm (three commands, each retried twice)', fault: { kind: 'status', status: 429, headers: { 'retry-after': '1' } } as const, reason: 'rateLimited', runs: 3 },
    { name: '500', fault: { kind: 'status', status: 500 } as const, reason: 'server', runs: 1 },
    { name: 'timeout (server never answers)', fault: { kind: 'hang' } as const, reason: 'timeout', runs: 1 },
    { name: 'truncated SSE', fault: { kind: 'dropAfterChunks', n: 3 } as const, reason: 'network', runs: 1 },
    { name: 'malformed JSON in the stream', fault: { kind: 'malformedChunk', afterChunks: 3 } as const, reason: 'malformed', runs: 1 },
  ];
  for (const c of cases) {
    it(`cloud ${c.name}: one message per command, nothing applied, ledger records counted once`, async function () {
      cloud.configure({ fault: c.fault });
      const before = ledgerRefactorRecords();
      const { editor, original } = await selectAdd();
      const { result: summaries, messages } = await countToasts(async () => {
        const all: Summary[] = [];
        for (let i = 0; i < c.runs; i++) {
          editor.selection = new vscode.Selection(0, 0, 2, 1);
          all.push(await vscode.commands.executeCommand<Summary>('tandem.refactorSelection', { instruction: 'name the sum' }));
        }
        return all;
      });
      for (const s of summaries) {
        assert.equal(s.kind, 'failed', JSON.stringify(s));
        assert.equal(s.reason, c.reason, JSON.stringify(s));
      }
      // One message per command the user ran, none per retry; identical ones may be merged by VS Code.
      assert.ok(messages.length >= 1 && messages.length <= c.runs, `messages: ${JSON.stringify(messages)}`);
      assert.equal(editor.document.getText(), original, 'nothing applied');
      // The ledger: read after the appends settle; each record once (distinct ids).
      await new Promise((r) => setTimeout(r, 500));
      const added = ledgerRefactorRecords().slice(before.length);
      const ids = new Set(added.map((r) => r.id));
      assert.equal(ids.size, added.length, `no record written twice: ${JSON.stringify(added)}`);
      // One record per command that reached the server (retries are one request's story), not per retry.
      assert.equal(added.length, c.runs, `records: ${JSON.stringify(added)}`);
      console.log(`cloud ${c.name}: ${chats().length} requests reached the server, ${added.length} ledger records, ${messages.length} message(s)`);
      if (c.runs > 1) assert.equal(chats().length, c.runs * 3, 'each command tried three times (two retries), no more');
      await screenshot(`faults-cloud-${c.reason}`);
    });
  }

  it('the cloud comes back: the next refactor previews, and its cost is recorded exactly once', async function () {
    const before = ledgerRefactorRecords();
    const { editor, original } = await selectAdd();
    const summary = await vscode.commands.executeCommand<Summary>('tandem.refactorSelection', { instruction: 'name the sum' });
    assert.equal(summary.kind, 'preview', JSON.stringify(summary));
    assert.equal(editor.document.getText(), original, 'a preview applies nothing by itself');
    await eventually('one new ledger record', () => (ledgerRefactorRecords().length === before.length + 1 ? true : undefined), 10_000);
    await new Promise((r) => setTimeout(r, 1000));
    const added = ledgerRefactorRecords().slice(before.length);
    assert.equal(added.length, 1, `exactly one: ${JSON.stringify(added)}`);
    assert.ok((added[0].costMicros ?? 0) > 0, 'priced from the reported usage');
    assert.equal(chats().length, 1);
  });
});
