// Teams suite in a real VS Code with Tandem installed from the .vsix: the local side points at a
// shared server that wants a token — the vLLM double (--api-key, OpenAI-compatible) and the Ollama
// double behind an auth proxy (bearer token). Token required (401): the status bar says so, no
// popup while typing. Token set with "Tandem: Set Local Server Token": ghost text appears and the
// server saw the Bearer header. Token rejected: said in the status bar, no popup. Server at
// capacity (429): typing goes on without popups.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startOllamaDouble, type OllamaDouble } from '../../../doubles/ollamaDouble';
import { startVllmDouble, type VllmDouble } from '../../../doubles/vllmDouble';
import { eventually, screenshot } from '../../support/driver';
import { countToasts, ghostText, openFileAt, setUserSetting, tandemStatusText, typeText } from '../../support/workbench';

const TOKEN = 'team-secret-token-42';
const REPLY = 'const shared = fromTeamServer(7);';
const VLLM_MODEL = 'qwen2.5-coder-1.5b';
const ORIGINAL = 'export function add(a: number, b: number): number {\n  return a + b;\n}\n\n';

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

async function typeBursts(editor: vscode.TextEditor, bursts: string[]): Promise<void> {
  for (const b of bursts) {
    await typeText(editor, b, 40);
    await new Promise((r) => setTimeout(r, 700));
  }
}

describe('Tandem against a shared team server with a token', function () {
  // Several status transitions per test, each waited for with its own bound.
  this.timeout(240_000);
  let vllm: VllmDouble;
  let ollama: OllamaDouble;

  before(async function () {
    vllm = await startVllmDouble({ model: VLLM_MODEL, apiKey: TOKEN, respond: () => REPLY, capacity: { perTokenMs: 5 } });
    ollama = await startOllamaDouble({ requireBearer: TOKEN, respond: () => REPLY, schedule: { firstTokenMs: 20, perTokenMs: 5 } });
    await vscode.extensions.getExtension('tandem-dev.tandem')?.activate();
    await vscode.commands.executeCommand('tandem.clearLocalToken');
  });

  after(async function () {
    await vscode.commands.executeCommand('tandem.clearLocalToken');
    await setUserSetting('local.provider', undefined);
    await setUserSetting('local.model', undefined);
    await setUserSetting('local.endpoint', undefined);
    await vllm?.close();
    await ollama?.close();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      await screenshot(`teams-failed-${this.currentTest.title.slice(0, 40)}`).catch(() => undefined);
      console.log(`status: ${await tandemStatusText()}`);
    }
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  const backends = [
    {
      name: 'OpenAI-compatible (vLLM --api-key)',
      configure: async () => {
        await setUserSetting('local.provider', 'openai-compatible');
        await setUserSetting('local.model', VLLM_MODEL);
        await setUserSetting('local.endpoint', `${vllm.url}/v1`);
      },
      auth: () => vllm.requests.map((r) => r.headers.authorization),
      completions: () => vllm.requests.filter((r) => r.path === '/v1/completions').length,
      reset: () => vllm.reset(),
    },
    {
      name: 'Ollama behind an auth proxy',
      configure: async () => {
        await setUserSetting('local.provider', 'ollama');
        await setUserSetting('local.model', undefined);
        await setUserSetting('local.endpoint', ollama.url);
      },
      auth: () => ollama.requests.map((r) => r.headers.authorization),
      completions: () => ollama.requests.filter((r) => r.path === '/api/generate' && r.body?.prompt).length,
      reset: () => ollama.reset(),
    },
  ];

  for (const b of backends) {
    it(`${b.name}: token required (401) shows in the status bar, never as a popup; setting it brings ghost text with the Bearer header; a wrong one is "rejected"`, async function () {
      await vscode.commands.executeCommand('tandem.clearLocalToken');
      b.reset();
      await b.configure();
      await statusMatches(/token needed/i);
      const editor = await freshMath();
      const { messages } = await countToasts(() => typeBursts(editor, ['let a = 1;', ' let b = 2;']));
      assert.equal(messages.length, 0, `no popup while typing: ${JSON.stringify(messages)}`);
      assert.ok(b.auth().every((a) => a === undefined), `no credentials sent: ${JSON.stringify(b.auth())}`);
      await screenshot(`teams-token-needed-${b.name.split(' ')[0]}`);

      // Set it through the command, as a person does (the argument stands in for the password box).
      const stored = await vscode.commands.executeCommand<{ stored: boolean }>('tandem.setLocalToken', TOKEN);
      assert.equal(stored.stored, true);
      await statusMatches(/ready/i);
      const editor2 = await freshMath();
      await typeText(editor2, 'const ', 40);
      await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
      await eventually('ghost text from the team server', async () => ((await ghostText()).includes('fromTeamServer') ? true : undefined), 20_000);
      await screenshot(`teams-ghost-${b.name.split(' ')[0]}`);
      assert.ok(b.completions() >= 1);
      assert.ok(b.auth().includes(`Bearer ${TOKEN}`), 'the server saw the Bearer token');

      // A wrong token: "rejected" in the status bar, still no popup while typing.
      await vscode.commands.executeCommand('tandem.setLocalToken', 'not-the-right-one');
      await statusMatches(/token rejected/i);
      const editor3 = await freshMath();
      const rejected = await countToasts(() => typeBursts(editor3, ['let c = 3;', ' let d = 4;']));
      assert.equal(rejected.messages.length, 0, `no popup: ${JSON.stringify(rejected.messages)}`);
      await vscode.commands.executeCommand('tandem.setLocalToken', TOKEN);
      await statusMatches(/ready/i);
    });
  }

  it('server at capacity (429 while every slot is taken): typing goes on without popups, and completions return when it has room', async function () {
    await vllm.close();
    // The hog's prompt ('x') gets a long answer, so it holds the only slot until aborted.
    vllm = await startVllmDouble({ model: VLLM_MODEL, apiKey: TOKEN, respond: (p) => (p === 'x' ? 'a '.repeat(4000) : REPLY), port: vllm.port, capacity: { perTokenMs: 5, maxRunning: 1, overload: 'reject' } });
    await vscode.commands.executeCommand('tandem.setLocalToken', TOKEN);
    await backends[0].configure();
    await statusMatches(/ready/i);
    // Someone else's long generation holds the only slot.
    const hog = new AbortController();
    const holding = fetch(`${vllm.url}/v1/completions`, {
      method: 'POST', signal: hog.signal,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: VLLM_MODEL, prompt: 'x', max_tokens: 4000, stream: true }),
    }).then((r) => r.body?.getReader().read(), () => undefined);
    await eventually('slot taken', () => (vllm.model.runningCount === 1 ? true : undefined), 5000);
    const editor = await freshMath();
    const before = editor.document.getText().length;
    const { messages } = await countToasts(() => typeBursts(editor, ['let x = 1;', ' let y = 2;', ' let z = 3;']));
    assert.equal(messages.length, 0, `no popup at capacity: ${JSON.stringify(messages)}`);
    assert.equal(editor.document.getText().length, before + 'let x = 1; let y = 2; let z = 3;'.length, 'every keystroke landed');
    assert.ok(vllm.model.stats.refused >= 1, 'the server refused at least one request with 429');
    await screenshot('teams-at-capacity');
    hog.abort();
    await holding.catch(() => undefined);
    await eventually('slot free', () => (vllm.model.runningCount === 0 ? true : undefined), 5000);
    // Back with room: an explicit request gets ghost text again.
    await typeText(editor, ' const ', 40);
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await eventually('ghost text after capacity frees', async () => ((await ghostText()).includes('fromTeamServer') ? true : undefined), 30_000);
  });
});
