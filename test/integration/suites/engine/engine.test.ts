// The completion engine as a person meets it in a real VS Code (the .vsix installed into
// code-server), against the loopback Ollama double: typing through a suggestion needs no new
// request, an empty block gets a multi-line suggestion, and a model that cannot fill in the
// middle says so in the status bar, not in a popup.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startOllamaDouble, type OllamaDouble, type OllamaGeneration } from '../../../doubles/ollamaDouble';
import { eventually, notificationToasts, query, screenshot, statusBarItems } from '../../support/driver';
import { ghostText, openFileAt, setUserSetting, tandemStatusText, typeText } from '../../support/workbench';

const FIM_MODEL = 'qwen2.5-coder:1.5b-base';
/** Not a FIM family by name, and its template has no FIM tokens: Ollama reports no `insert`. */
const PLAIN_MODEL = 'plainchat:7b';

const generates = (d: OllamaDouble): OllamaGeneration[] => d.generations.filter((g) => g.request.path === '/api/generate');
const promptOf = (g: OllamaGeneration): string => String(g.request.body?.prompt ?? '');

describe('Tandem engine in VS Code: typing-through, multi-line blocks, model capabilities', function () {
  let ollama: OllamaDouble;

  before(async function () {
    ollama = await startOllamaDouble({
      schedule: { firstTokenMs: 30, perTokenMs: 5 },
      models: [{ name: FIM_MODEL }, { name: PLAIN_MODEL, capabilities: ['completion'], template: '{{ .Prompt }}' }],
    });
    await setUserSetting('local.endpoint', ollama.url);
    await eventually('ready status', async () => (/ready/i.test(await tandemStatusText()) ? true : undefined), 30_000);
  });

  after(async function () {
    await ollama?.close();
  });

  afterEach(async function () {
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('typing the start of a suggestion shows the rest of it with no new request at the server', async function () {
    const suggestion = ' = items.reduce((sum, item) => sum + item.price, 0);';
    ollama.configure({ respond: () => suggestion });
    ollama.reset();
    const editor = await openFileAt('src/cart.js', 5, '  let total'.length);
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await eventually('ghost text', async () => ((await ghostText()).includes('items.reduce((sum') ? true : undefined));
    const asked = generates(ollama);
    assert.ok(asked.length >= 1 && promptOf(asked[0]).endsWith('  let total'), 'the suggestion was asked for at the cursor');

    const typed = ' = it';
    await typeText(editor, typed, 60);
    const rest = suggestion.slice(typed.length);
    const shown = await eventually('the rest of the suggestion as ghost text', async () => {
      const g = await ghostText();
      return g.startsWith(rest.slice(0, 20)) ? g : undefined;
    });
    assert.ok(rest.startsWith(shown.split('\n')[0].trimEnd()), `ghost text ${JSON.stringify(shown)} is the remainder ${JSON.stringify(rest)}`);
    await screenshot('ghost-typing-through');
    assert.equal(editor.document.lineAt(5).text, `  let total${typed}`);

    // Let anything the keystrokes might have started reach the server before counting.
    await new Promise((r) => setTimeout(r, 1000));
    const after = generates(ollama);
    const atTypedPositions = after.filter((g) => [...typed].some((_, i) => promptOf(g).endsWith(`  let total${typed.slice(0, i + 1)}`)));
    assert.deepEqual(atTypedPositions.map(promptOf), [], 'no request for any typed position');
    // The only other request allowed is the prefetch of what follows the whole suggestion
    // (speculative, started once the first answer was shown and the model was idle).
    const others = after.slice(1).filter((g) => !promptOf(g).endsWith(`  let total${suggestion}`));
    assert.deepEqual(others.map(promptOf), [], `requests besides the first: ${after.length - 1}`);
    assert.ok(after.length <= 2, `${after.length} generations at the server`);
  });

  it('shows a multi-line suggestion inside an empty block', async function () {
    const body = 'const a = 1;\n  const b = 2;\n  return a + b;\n';
    ollama.configure({ respond: () => body });
    ollama.reset();
    const editor = await openFileAt('src/blocks.ts', 1, 2);
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    const shown = await eventually('multi-line ghost text', async () => {
      const g = await ghostText();
      return g.split('\n').filter((l) => l.trim() !== '').length >= 2 ? g : undefined;
    }).catch(async (e: Error) => {
      await screenshot('ghost-multiline-failed');
      const dom = await query('.monaco-editor [class*="ghost"], .monaco-editor .view-zones *');
      throw new Error(`${e.message}; ghost DOM: ${JSON.stringify(dom.slice(0, 12))}; requests: ${JSON.stringify(generates(ollama).map(promptOf))}`);
    });
    await screenshot('ghost-multiline');
    const lines = shown.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    assert.deepEqual(lines, ['const a = 1;', 'const b = 2;', 'return a + b;']);
    const gen = generates(ollama)[0];
    assert.ok(gen, 'the server received a generate request');
    assert.equal(gen.request.body.suffix, '\n}\n');

    await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
    await eventually('committed block', () => (editor.document.getText().includes('  return a + b;') ? true : undefined), 5000);
    assert.equal(editor.document.getText(), 'export function f() {\n  const a = 1;\n  const b = 2;\n  return a + b;\n}\n');
  });

  it('shows "no FIM" in the status bar, and no popup, for a model that cannot fill in the middle', async function () {
    await setUserSetting('local.model', PLAIN_MODEL);
    const text = await eventually('no FIM status', async () => {
      const t = await tandemStatusText();
      return /no FIM/i.test(t) ? t : undefined;
    }, 30_000);
    assert.match(text, /Tandem: no FIM/);
    const items = await statusBarItems();
    assert.ok(items.some((i) => i.aria.includes(PLAIN_MODEL)), `the label names the model: ${JSON.stringify(items)}`);
    await screenshot('status-no-fim');
    // The server was asked what the model can do; nothing asked it to fill in the middle.
    const shows = ollama.requests.filter((r) => r.path === '/api/show' && r.body?.model === PLAIN_MODEL);
    assert.ok(shows.length >= 1, 'capabilities were looked up');
    ollama.reset();
    await openFileAt('src/blocks.ts', 1, 2);
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(generates(ollama).filter((g) => g.request.body?.model === PLAIN_MODEL).length, 0,
      'no completion request sent to a model without insert');
    assert.equal(await ghostText(), '');
    assert.equal((await notificationToasts()).length, 0, 'no popup');
    assert.match(await tandemStatusText(), /no FIM/i, 'still says no FIM after a completion attempt');

    await setUserSetting('local.model', undefined);
    await eventually('ready again', async () => (/ready/i.test(await tandemStatusText()) ? true : undefined), 30_000);
  });
});
