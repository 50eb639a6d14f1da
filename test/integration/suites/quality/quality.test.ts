// Completion quality in a real VS Code (issue 12), from the Tandem .vsix installed into code-server
// against the loopback Ollama double: what a person sees as ghost text.
// - A fenced single-line answer (```python, the line, ```) shows the whole line; it used to show
//   the first streamed chunk of the code line (`el` for `else:`).
// - On a blank, indented line inside a function, a complete block shows as multi-line ghost text,
//   and it stops before the code below even when the model goes on to re-type that code.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startOllamaDouble, type OllamaDouble } from '../../../doubles/ollamaDouble';
import { eventually, screenshot } from '../../support/driver';
import { ghostText, openFileAt, setUserSetting, tandemStatusText } from '../../support/workbench';

describe('Tandem installed from the .vsix: completion quality', function () {
  let ollama: OllamaDouble;

  before(async function () {
    ollama = await startOllamaDouble({ schedule: { firstTokenMs: 20, perTokenMs: 5 } });
    await setUserSetting('local.endpoint', ollama.url);
    await eventually('ready status', async () => (/ready/i.test(await tandemStatusText()) ? true : undefined));
  });

  after(async function () {
    await ollama?.close();
  });

  afterEach(async function () {
    await vscode.commands.executeCommand('editor.action.inlineSuggest.hide');
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows a fenced single-line answer whole, not its first characters', async function () {
    // The double streams tokens of up to 4 characters, so the code line arrives as `"els`, `e"`.
    ollama.configure({ respond: () => '```python\n"else"\n```\n' });
    ollama.reset();
    const editor = await openFileAt('src/stats.py', 10, 17);
    assert.equal(editor.document.lineAt(10).text, '    else_label = ');
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    const shown = await eventually('ghost text', async () => {
      const g = await ghostText();
      return g.trim() !== '' ? g : undefined;
    });
    await screenshot('quality-fenced-single-line');
    assert.equal(shown.trim(), '"else"');
    await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
    await eventually('committed', () => (editor.document.lineAt(10).text === '    else_label = "else"' ? true : undefined), 5000);
  });

  it('shows a whole block on a blank indented line inside a function, ending before the code below', async function () {
    // The block, then an echo of the line below it (models do that), then more.
    ollama.configure({
      respond: () => 'total = 0\n    for v in values:\n        total += v\n    return total / len(values)\n\n\ndef other():\n    pass\n',
    });
    ollama.reset();
    const editor = await openFileAt('src/stats.py', 3, 4);
    assert.equal(editor.document.lineAt(3).text, '    ');
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    // The view zone with the later lines can paint a moment before the first line's inline part.
    const shown = await eventually('multi-line ghost text, first line included', async () => {
      const g = await ghostText();
      const lines = g.split('\n');
      return lines.length >= 3 && lines[0].trim() !== '' ? g : undefined;
    });
    await screenshot('quality-blank-line-block');
    assert.deepEqual(shown.split('\n').map((l) => l.trimEnd()), ['total = 0', '    for v in values:', '        total += v']);
    const body = ollama.requests.find((r) => r.path === '/api/generate')?.body;
    assert.ok(body?.options?.stop?.includes('\n```'), 'the server was asked to stop at a closing fence');
    await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
    const expected = '    total = 0\n    for v in values:\n        total += v\n    return total / len(values)';
    await eventually('committed block', () => (editor.document.getText().includes(expected) ? true : undefined), 5000);
  });
});
