// First run and control, in a real VS Code with Tandem installed from the .vsix: the Check Setup
// report against a healthy and a broken setup (read from the webview's DOM, screenshotted), the
// walkthrough, the status bar menu (snooze, per-language), the Alt+\ trigger, and the built-in
// accept-word / accept-line commands on Tandem's ghost text.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { DoctorReport } from '../../../../src/core/setup/doctor';
import { startOllamaDouble, type OllamaDouble } from '../../../doubles/ollamaDouble';
import { startOpenAiDouble, type OpenAiDouble } from '../../../doubles/openaiDouble';
import { click, eventually, frameQuery, press, query, screenshot, typeKeys } from '../../support/driver';
import { ghostText, openFileAt, setUserSetting, tandemStatusText, typeText } from '../../support/workbench';

const KEY = 'sk-setup-suite-0123456789';
// The cloud settings are not declared by this branch's manifest, and VS Code only writes declared
// keys: suites.json puts tandem.cloud.baseUrl at this fixed port (below the ephemeral range).
const CLOUD_PORT = 29417;
const STATUS_ITEM = '[id="tandem-dev.tandem.tandem.localModel"]';

async function reportRows(): Promise<Array<{ id: string; text: string }>> {
  const rows = await frameQuery('tr.check');
  return rows.map((r) => ({ id: r.className.replace(/^check\s+/, ''), text: r.text.replace(/\s+/g, ' ').trim() }));
}

describe('Tandem: first run and control', function () {
  let ollama: OllamaDouble;
  let openai: OpenAiDouble;
  let canSetKey = false;

  before(async function () {
    ollama = await startOllamaDouble({ schedule: { firstTokenMs: 20, perTokenMs: 5 } });
    openai = await startOpenAiDouble({ apiKey: KEY, port: CLOUD_PORT });
    await vscode.extensions.getExtension('tandem-dev.tandem')?.activate();
    await setUserSetting('local.endpoint', ollama.url);
    canSetKey = (await vscode.commands.getCommands(true)).includes('tandem.setApiKey');
    await eventually('ready status', async () => (/ready/i.test(await tandemStatusText()) ? true : undefined), 30_000);
  });

  after(async function () {
    await ollama?.close();
    await openai?.close();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      await screenshot(`setup-failed-${(this.currentTest.title).slice(0, 40)}`).catch(() => undefined);
      console.log(`ollama saw: ${ollama.requests.map((q) => `${q.method} ${q.path} ${q.body?.model ?? ''}`).join(', ')}; status: ${await tandemStatusText()}`);
    }
    // Whatever a test changed, the next one starts from a healthy setup.
    if (vscode.workspace.getConfiguration('tandem').inspect('local.model')?.globalValue !== undefined) await setUserSetting('local.model', undefined);
    if (vscode.workspace.getConfiguration('tandem').inspect('local.endpoint')?.globalValue !== ollama.url) await setUserSetting('local.endpoint', ollama.url);
    const cloudUp = await fetch(`http://127.0.0.1:${CLOUD_PORT}/v1/models`).then(() => true, () => false);
    if (!cloudUp) openai = await startOpenAiDouble({ apiKey: KEY, port: CLOUD_PORT });
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Check Setup on a healthy setup: every check passes, shown in a report', async function () {
    if (canSetKey) await vscode.commands.executeCommand('tandem.setApiKey', KEY);
    openai.reset();
    const report = await vscode.commands.executeCommand<DoctorReport>('tandem.checkSetup');
    const rows = await eventually('the report in the webview', async () => {
      const r = await reportRows();
      return r.length >= 8 ? r : undefined;
    }, 20_000);
    const text = rows.map((r) => r.text).join('\n');
    assert.match(text, /OK\s*Local model server.*version 0\.12\.6/);
    assert.match(text, /OK\s*Model.*qwen2\.5-coder:1\.5b-base is available/);
    assert.match(text, /OK\s*Fill-in-the-middle/);
    assert.match(text, /OK\s*Completion latency.*first token \d+ ms/);
    assert.match(text, /OK\s*Budgets.*monthly \$20\.00/);
    if (canSetKey) {
      assert.equal(report.overall, 'ok', text);
      assert.match(text, /OK\s*Cloud API.*accepts the key/);
      assert.equal(openai.requests.filter((q) => q.path === '/v1/models').length, 1, 'one free call');
      assert.equal(openai.requests.length, 1, 'nothing billable');
    } else {
      // Until the API key commands are merged, the key can only be missing here.
      assert.match(text, /Warning\s*OpenAI API key.*No API key/);
      assert.equal(openai.requests.length, 0);
    }
    const overall = await frameQuery('#overall');
    assert.ok(overall.length === 1, 'overall line rendered');
    await screenshot('doctor-healthy');
  });

  it('Check Setup on a broken setup: server down and model missing show as failures with their fixes', async function () {
    await setUserSetting('local.model', 'qwen2.5-coder:7b-base');
    // The cloud goes away: nothing listens on its port any more.
    await openai.close();
    const report = await vscode.commands.executeCommand<DoctorReport>('tandem.checkSetup');
    assert.equal(report.overall, 'fail');
    const rows = await eventually('the broken report', async () => {
      const r = await reportRows();
      return r.some((x) => /Failed\s*Model/.test(x.text)) ? r : undefined;
    }, 20_000);
    const text = rows.map((r) => r.text).join('\n');
    assert.match(text, /Failed\s*Model.*qwen2\.5-coder:7b-base" is not available on the server/);
    assert.match(text, /ollama pull qwen2\.5-coder:7b-base/);
    if (canSetKey) assert.match(text, /Failed\s*Cloud API.*not reachable/);
    else assert.match(text, /Skipped\s*Cloud API.*no API key/);
    const links = await frameQuery('a.fix-link');
    assert.ok(links.some((l) => /Run in Terminal/.test(l.text) && l.href.startsWith('command:tandem.setup.applyFix')), JSON.stringify(links));
    await screenshot('doctor-broken');

    // The fix: the exact pull command, run in a terminal.
    assert.equal(await vscode.commands.executeCommand('tandem.setup.applyFix', 'local.model', 'run'), true);
    await eventually('the Tandem Setup terminal', () => (vscode.window.terminals.some((t) => t.name === 'Tandem Setup') ? true : undefined));

    // Server down too.
    await setUserSetting('local.endpoint', 'http://127.0.0.1:9');
    const down = await vscode.commands.executeCommand<DoctorReport>('tandem.checkSetup');
    const server = down.checks.find((c) => c.id === 'local.server');
    assert.equal(server?.status, 'fail');
    assert.equal(server?.fix?.shellCommand, 'ollama serve');
    await eventually('server row failed', async () => ((await reportRows()).some((r) => /Failed\s*Local model server.*not reachable/.test(r.text)) ? true : undefined), 20_000);
    await screenshot('doctor-broken-server-down');

    await setUserSetting('local.endpoint', ollama.url);
    await setUserSetting('local.model', undefined);
    openai = await startOpenAiDouble({ apiKey: KEY, port: CLOUD_PORT });
    for (const t of vscode.window.terminals) t.dispose();
    await eventually('ready again', async () => (/ready/i.test(await tandemStatusText()) ? true : undefined), 30_000);
  });

  it('the walkthrough shows the five first-run steps; its Check Setup button completes the first', async function () {
    // Room for the step's media next to the steps.
    await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', 'tandem-dev.tandem#gettingStarted', false);
    const text = await eventually('walkthrough rendered', async () => {
      const nodes = await query('.gettingStartedContainer');
      const t = nodes.map((n) => n.text).join(' ');
      return /Get Started with Tandem/.test(t) && /See what you spend/.test(t) ? t : undefined;
    }, 20_000);
    for (const step of ['Start Ollama and pull a model', 'Set your OpenAI API key', 'Try a completion', 'Try a refactor', 'See what you spend']) {
      assert.ok(text.includes(step), `step "${step}" in ${text.slice(0, 400)}`);
    }
    await eventually('step media', async () => {
      const t = (await frameQuery('body')).map((n) => n.text).join(' ');
      return /ollama pull qwen2\.5-coder:1\.5b-base/.test(t) ? true : undefined;
    }, 20_000);
    await screenshot('walkthrough');
    // A person clicks the step's button: the report opens over the walkthrough.
    await click('.gettingStartedContainer >> text=Check Setup');
    await eventually('the report opened from the walkthrough', async () => ((await frameQuery('tr.check')).length >= 8 ? true : undefined), 20_000);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    const steps = await eventually('the first step marked done', async () => {
      const all = await query('.gettingStartedContainer .getting-started-step');
      // The step's checkbox icon turns into a filled check (class names vary across versions).
      const icons = await query('.gettingStartedContainer .getting-started-step .codicon');
      return icons.some((i) => /checked|complete|pass-filled/.test(i.className) && !/unchecked/.test(i.className)) ? all : undefined;
    }, 20_000);
    assert.ok(steps.length >= 5);
    await screenshot('walkthrough-step-done');
  });

  it('Alt+\\ asks for a completion; the built-in accept-word and accept-line commands take part of it', async function () {
    ollama.configure({ respond: () => 'const answer = computeValue(1, 2);' });
    const editor = await openFileAt('src/math.ts', 4, 0);
    ollama.reset();
    await press('Alt+Backslash');
    await eventually('ghost text after Alt+\\', async () => ((await ghostText()).includes('computeValue') ? true : undefined), 20_000);
    assert.ok(ollama.generations.length >= 1, 'the keybinding reached the model');
    await vscode.commands.executeCommand('editor.action.inlineSuggest.acceptNextWord');
    const afterWord = await eventually('one word accepted', () => {
      const line = editor.document.lineAt(4).text;
      return line.length > 0 ? line : undefined;
    });
    assert.ok('const answer = computeValue(1, 2);'.startsWith(afterWord), afterWord);
    assert.ok(afterWord.length < 'const answer = computeValue(1, 2);'.length, `only part was accepted: "${afterWord}"`);
    await screenshot('accept-word');
    await vscode.commands.executeCommand('editor.action.inlineSuggest.acceptNextLine');
    await eventually('the rest of the line accepted', () => (editor.document.lineAt(4).text === 'const answer = computeValue(1, 2);' ? true : undefined), 10_000);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('the status bar item opens the menu; snooze stops automatic requests, Alt+\\ still asks, resume brings them back', async function () {
    ollama.configure({ respond: () => 'const snoozed = false;' });
    const editor = await openFileAt('src/math.ts', 4, 0);
    await click(STATUS_ITEM);
    const rows = await eventually('the Tandem menu', async () => {
      const r = await query('.quick-input-widget .monaco-list-row');
      return r.length >= 5 ? r : undefined;
    });
    const labels = rows.map((r) => r.aria || r.text).join(' | ');
    for (const want of ['Trigger Completion Here', 'Snooze for 5 Minutes', 'Snooze for 15 Minutes', 'Snooze for 60 Minutes', 'Disable for typescript', 'Check Setup', 'Show Log']) {
      assert.ok(labels.includes(want), `${want} in ${labels}`);
    }
    await screenshot('status-menu');
    await typeKeys('Snooze for 5');
    await press('Enter');
    await eventually('snoozed status', async () => (/snoozed/i.test(await tandemStatusText()) ? true : undefined));
    await screenshot('status-snoozed');

    ollama.reset();
    await typeText(editor, 'let a');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(ollama.generations.length, 0, 'no automatic request while snoozed');
    await vscode.commands.executeCommand('tandem.inline.trigger');
    await eventually('an explicit trigger still completes', async () => ((await ghostText()).length > 0 ? true : undefined), 20_000);

    await vscode.commands.executeCommand('tandem.inline.resume');
    await eventually('not snoozed', async () => (/ready/i.test(await tandemStatusText()) ? true : undefined));
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('turning completions off for a language from the menu stops them there only', async function () {
    const editor = await openFileAt('src/math.ts', 4, 0);
    await click(STATUS_ITEM);
    await eventually('menu', async () => ((await query('.quick-input-widget .monaco-list-row')).length >= 5 ? true : undefined));
    await typeKeys('Disable for typescript');
    await press('Enter');
    await eventually('setting written', () => (vscode.workspace.getConfiguration('tandem').get<string[]>('inline.disabledLanguages')?.includes('typescript') ? true : undefined));
    ollama.reset();
    await typeText(editor, 'let b');
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(ollama.generations.length, 0, 'no request for a disabled language');
    await vscode.commands.executeCommand('workbench.action.files.revert');

    // Python still completes.
    ollama.configure({ respond: () => 'def other(name):' });
    await openFileAt('src/greet.py', 3, 0);
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await eventually('ghost text in python', async () => ((await ghostText()).includes('def other') ? true : undefined), 20_000);

    await vscode.commands.executeCommand('tandem.inline.toggleLanguage', 'typescript');
    await eventually('typescript back on', () => (vscode.workspace.getConfiguration('tandem').get<string[]>('inline.disabledLanguages')?.includes('typescript') ? undefined : true));
  });
});
