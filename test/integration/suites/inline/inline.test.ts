// Inline completions in a real VS Code, from the Tandem .vsix installed into code-server, against
// the loopback Ollama double: what a person sees (ghost text, status bar, popups) and what the
// server saw (requests, disconnects).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startOllamaDouble, type OllamaDouble } from '../../../doubles/ollamaDouble';
import { eventually, notificationToasts, screenshot, statusBarItems } from '../../support/driver';
import { setUserSetting, openFileAt, ghostText, typeText, tandemStatusText } from '../../support/workbench';

const EXTENSION_ID = 'tandem-dev.tandem';

describe('Tandem installed from the .vsix: local inline completions', function () {
  let ollama: OllamaDouble;

  before(async function () {
    ollama = await startOllamaDouble({ schedule: { firstTokenMs: 20, perTokenMs: 5 } });
  });

  after(async function () {
    await ollama?.close();
  });

  afterEach(async function () {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('is installed from the package (not the source folder) and activates', async function () {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'extension tandem-dev.tandem is installed');
    assert.ok(!ext.extensionPath.includes(path.join('test', 'integration')), ext.extensionPath);
    assert.ok(ext.extensionPath.includes('extensions'), `installed copy, got ${ext.extensionPath}`);
    await ext.activate();
    assert.equal(ext.isActive, true);
    const pkg = ext.packageJSON as { version: string; displayName: string };
    assert.equal(pkg.displayName, 'Tandem');
  });

  it('can see a popup when there is one (so the "no popup" checks below can fail)', async function () {
    void vscode.window.showWarningMessage('Probe popup from the test runner');
    const seen = await eventually('the probe in the notification center', async () => {
      const all = await notificationToasts(true);
      return all.some((n) => /Probe popup/.test(`${n.aria} ${n.text}`)) ? all : undefined;
    });
    assert.ok(seen.length >= 1);
    await vscode.commands.executeCommand('notifications.clearAll');
    assert.equal((await notificationToasts(true)).filter((n) => /Probe popup/.test(n.aria)).length, 0);
  });

  it('shows "offline" in the status bar, and no popup, when Ollama is not running', async function () {
    // Nothing listens on the default endpoint here: that is the state of a fresh install without Ollama.
    await setUserSetting('local.endpoint', 'http://127.0.0.1:9');
    const text = await eventually('offline status', async () => {
      const t = await tandemStatusText();
      return /offline/i.test(t) ? t : undefined;
    });
    assert.match(text, /offline/i);
    assert.equal((await notificationToasts()).length, 0, 'no error popup');
  });

  it('turns ready when pointed at a running server', async function () {
    await setUserSetting('local.endpoint', ollama.url);
    const text = await eventually('ready status', async () => {
      const t = await tandemStatusText();
      return /ready/i.test(t) ? t : undefined;
    });
    assert.match(text, /ready/i);
  });

  for (const lang of [
    { file: 'src/math.ts', line: 3, completion: 'export function sub(a: number, b: number): number {' },
    { file: 'src/greet.py', line: 3, completion: 'def farewell(name):' },
  ]) {
    it(`shows ghost text from the model in ${path.extname(lang.file)} and commits exactly that text`, async function () {
      ollama.configure({ respond: () => lang.completion });
      ollama.reset();
      const editor = await openFileAt(lang.file, lang.line, 0);
      const before = editor.document.getText();
      await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
      const shown = await eventually('ghost text', async () => {
        const g = await ghostText();
        return g.includes(lang.completion.slice(0, 12)) ? g : undefined;
      });
      assert.ok(shown.length > 0);
      await screenshot(`ghost-text-${path.extname(lang.file).slice(1)}`);
      const gen = ollama.generations.at(-1);
      assert.ok(gen, 'the server received a generate request');
      assert.ok(typeof gen.request.body.prompt === 'string');
      await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
      const offset = editor.document.offsetAt(new vscode.Position(lang.line, 0));
      const expected = before.slice(0, offset) + lang.completion + before.slice(offset);
      await eventually('committed text', () => (editor.document.getText() === expected ? true : undefined), 5000);
      assert.equal(editor.document.getText(), expected);
      await vscode.commands.executeCommand('undo');
    });
  }

  it('aborts a superseded request at the server', async function () {
    // A slow model: the first answer is still streaming when the user types something else.
    ollama.configure({ schedule: { firstTokenMs: 400, perTokenMs: 100 }, respond: () => 'const slowAnswer = computeSomethingLong(1, 2, 3);' });
    const editor = await openFileAt('src/math.ts', 3, 0);
    await typeText(editor, 'let q');
    ollama.reset();
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await eventually('a request at the server', () => (ollama.generations.length >= 1 ? true : undefined));
    // Typing text the answer being generated cannot contain makes it stale.
    await typeText(editor, 'zzz');
    await eventually('the server saw the first request disconnect', () => (ollama.disconnects.length >= 1 ? true : undefined), 10_000);
    const first = ollama.generations[0];
    assert.equal(first.completed, false, 'the first generation did not run to the end');
    assert.ok(first.tokensSent < 12, `stopped early (${first.tokensSent} tokens sent)`);
    await vscode.commands.executeCommand('workbench.action.files.revert');
    ollama.configure({ schedule: { firstTokenMs: 20, perTokenMs: 5 } });
  });

  it('shows "model missing" in the status bar, and no popup, for a model the server lacks', async function () {
    await setUserSetting('local.model', 'no-such-model:1b');
    const text = await eventually('model missing status', async () => {
      const t = await tandemStatusText();
      return /missing/i.test(t) ? t : undefined;
    });
    assert.match(text, /model missing/i);
    assert.equal((await notificationToasts()).length, 0, 'no error popup');
    const items = await statusBarItems();
    assert.ok(items.some((i) => /no-such-model/.test(i.aria)), `tooltip/label names the model: ${JSON.stringify(items)}`);
    await screenshot('status-model-missing');
    await setUserSetting('local.model', undefined);
    await eventually('ready again', async () => (/ready/i.test(await tandemStatusText()) ? true : undefined));
  });

  it('raised no Tandem notification during the whole suite', async function () {
    assert.deepEqual(await notificationToasts(), []);
  });
});
