// Cloud help for inline completions in a real VS Code, from the Tandem .vsix installed into
// code-server: the local model is down (its endpoint is a closed port, from the suite's user
// settings) and the OpenAI double is up at the user-level base URL. What a person sees (ghost text,
// the status bar's cloud indication with the cost, no popups) and what the server saw (how many chat
// requests, with what) decide; with the setting off, or in local-only mode, the double must see nothing.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { startOpenAiDouble, type OpenAiDouble } from '../../../doubles/openaiDouble';
import { eventually, notificationToasts, screenshot, statusBarItems } from '../../support/driver';
import { ghostText, openFileAt, setUserSetting, tandemStatusText, typeText } from '../../support/workbench';

const EXTENSION_ID = 'tandem-dev.tandem';
const KEY = `sk-test-${randomBytes(18).toString('hex')}`;
const FILE = 'src/calc.ts';
/** The empty, indented line inside `multiply`. */
const LINE = 5;
const COLUMN = 2;
const COMPLETION = 'return a * b;';
/** Time given to a trigger that must NOT reach the cloud, before checking that it did not. */
const SETTLE_MS = 3000;

const settle = (ms = SETTLE_MS) => new Promise((r) => setTimeout(r, ms));

describe('Tandem installed from the .vsix: cloud help for inline completions', function () {
  this.timeout(90_000);
  let openai: OpenAiDouble;
  const chats = () => openai.requests.filter((r) => r.path === '/v1/chat/completions');

  /** The cloud completion item's text and label, '' when it is not shown. */
  async function cloudItem(): Promise<string> {
    const items = await statusBarItems();
    return items.filter((i) => /cloud completion/i.test(`${i.text} ${i.aria}`)).map((i) => `${i.text} | ${i.aria}`).join(' || ');
  }

  async function triggerAtCursor(): Promise<vscode.TextEditor> {
    const editor = await openFileAt(FILE, LINE, COLUMN);
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    return editor;
  }

  before(async function () {
    openai = await startOpenAiDouble({
      apiKey: KEY,
      schedule: { firstTokenMs: 10, perTokenMs: 2 },
      respond: () => COMPLETION,
      // gpt-5.4-mini: 100 x $0.75/M + 10 x $4.50/M = $0.00012.
      usage: () => ({ prompt_tokens: 100, completion_tokens: 10 }),
    });
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'extension installed');
    await ext.activate();
    // A user-level base URL: the key may go there.
    await setUserSetting('cloud.baseUrl', `${openai.url}/v1`);
    const stored = await vscode.commands.executeCommand<{ stored: boolean }>('tandem.setApiKey', KEY);
    assert.deepEqual(stored, { stored: true });
  });

  after(async function () {
    await openai?.close();
  });

  beforeEach(function () {
    openai.reset();
  });

  afterEach(async function () {
    await vscode.commands.executeCommand('editor.action.inlineSuggest.hide');
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('starts with the local model down (nothing listens on its endpoint)', async function () {
    const text = await eventually('offline status', async () => {
      const t = await tandemStatusText();
      return /offline/i.test(t) ? t : undefined;
    });
    assert.match(text, /offline/i);
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { configuration: Array<{ properties: Record<string, { default?: unknown }> }> } };
    const decl = Object.assign({}, ...pkg.contributes.configuration.map((c) => c.properties))['tandem.inline.cloudFallback'];
    assert.equal(decl?.default, false, 'the installed manifest declares the fallback off by default');
  });

  it('with tandem.inline.cloudFallback off (the default), an explicit trigger sends nothing to the cloud', async function () {
    assert.equal(vscode.workspace.getConfiguration('tandem').get('inline.cloudFallback'), false);
    await triggerAtCursor();
    await settle();
    assert.equal(openai.requests.length, 0, `the OpenAI double got ${JSON.stringify(openai.requests.map((r) => r.path))}`);
    assert.equal((await ghostText()).trim(), '', 'no ghost text');
    assert.equal(await cloudItem(), '', 'no cloud indication');
  });

  it('in local-only privacy mode, even with the fallback on, an explicit trigger sends nothing', async function () {
    await setUserSetting('inline.cloudFallback', true);
    await setUserSetting('privacy.mode', 'localOnly');
    try {
      await eventually('local-only mode in effect', () => (vscode.workspace.getConfiguration('tandem').get('privacy.mode') === 'localOnly' ? true : undefined));
      await triggerAtCursor();
      await settle();
      assert.equal(openai.requests.length, 0, `the OpenAI double got ${JSON.stringify(openai.requests.map((r) => r.path))}`);
      assert.equal((await ghostText()).trim(), '', 'no ghost text');
      assert.equal(await cloudItem(), '', 'no cloud indication');
    } finally {
      await setUserSetting('privacy.mode', undefined);
      await setUserSetting('inline.cloudFallback', undefined);
    }
  });

  it('with the fallback on, an explicit trigger shows ghost text from the cloud, the cost in the status bar, and sends exactly one request', async function () {
    await setUserSetting('inline.cloudFallback', true);
    await eventually('fallback on', () => (vscode.workspace.getConfiguration('tandem').get('inline.cloudFallback') === true ? true : undefined));
    const editor = await triggerAtCursor();
    const shown = await eventually('ghost text from the cloud', async () => {
      const g = await ghostText();
      return g.includes(COMPLETION) ? g : undefined;
    }, 30_000);
    assert.ok(shown.includes(COMPLETION), shown);
    const item = await eventually('the cloud indication with its cost', async () => {
      const t = await cloudItem();
      return /\$0\.00012/.test(t) ? t : undefined;
    });
    assert.match(item, /cloud completion · \$0\.00012/);
    await screenshot('cloud-inline-ghost-text');
    // Exactly one: any duplicate would have been sent by the time the ghost text showed.
    assert.equal(chats().length, 1, `chat requests: ${chats().length}`);
    const req = chats()[0];
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
    assert.equal(req.body.max_completion_tokens, 128);
    const prompt = (req.body.messages as Array<{ content: string }>).map((m) => m.content).join('\n');
    assert.ok(prompt.includes('export function multiply(a: number, b: number) {'), prompt);
    assert.ok(prompt.includes(FILE), 'the prompt names the file');

    // What a person accepts is exactly the cloud's text (before anything moves the focus away).
    const before = editor.document.getText();
    await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
    const offset = editor.document.offsetAt(new vscode.Position(LINE, COLUMN));
    const expected = before.slice(0, offset) + COMPLETION + before.slice(offset);
    await eventually('committed text', () => (editor.document.getText() === expected ? true : undefined), 5000)
      .catch((e) => { throw new Error(`${e.message}; the document reads ${JSON.stringify(editor.document.getText())}, ghost text ${JSON.stringify(shown)}`); });
    assert.deepEqual(await notificationToasts(), [], 'no popup');
  });

  it('the send is in What Left This Machine as an inline fallback from this file', async function () {
    await vscode.commands.executeCommand('tandem.showEgressLog');
    const text = await eventually('the egress page lists the inline fallback', () => {
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'tandem-egress');
      const t = doc?.getText() ?? '';
      return /inlineFallback/.test(t) && t.includes(FILE) ? t : undefined;
    });
    assert.match(text, /inlineFallback/);
  });

  it('typing while the local model is down does not call the cloud on every keystroke', async function () {
    const editor = await openFileAt(FILE, LINE, COLUMN);
    await typeText(editor, 'const r', 150);
    await settle();
    // Each keystroke cancels the previous call during its pause; only a final pause may send one,
    // and not within 10 s of the previous cloud request.
    assert.ok(chats().length <= 1, `chat requests while typing 7 characters: ${chats().length}`);
    assert.deepEqual(await notificationToasts(), []);
  });

  it('turning the fallback off removes the cloud indication at once', async function () {
    assert.match(await cloudItem(), /cloud completion/, 'the indication from the cloud completion above is still shown');
    await setUserSetting('inline.cloudFallback', undefined);
    await eventually('the indication gone', async () => ((await cloudItem()) === '' ? true : undefined));
    await screenshot('cloud-inline-off');
  });
});
