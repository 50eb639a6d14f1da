// Privacy in a real VS Code (trusted workspace), Tandem installed from the .vsix, against the
// loopback Ollama and OpenAI doubles: excluded files get no request at all, a selection holding a
// secret asks first and leaves redacted (and comes back whole), local-only mode keeps the refactor
// on Ollama's chat API, and every cloud send is listed by "Show What Left This Machine".
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startOllamaDouble, type OllamaDouble } from '../../../doubles/ollamaDouble';
import { startOpenAiDouble, type OpenAiDouble } from '../../../doubles/openaiDouble';
import { eventually, query, screenshot } from '../../support/driver';
import {
  ADDED_LINE, clearNotifications, echoRefactor, fakeOpenAiKey, notificationsText, privacyStatus, refactor, selectLines,
  writeWorkspaceFile, type RefactorSummary,
} from '../../support/privacy';
import { openFileAt, setUserSetting, tandemStatusText, workspaceFile } from '../../support/workbench';

const INLINE_ANSWER = 'const total = add(1, 2);';

describe('Privacy in the editor (trusted workspace)', function () {
  let ollama: OllamaDouble;
  let openai: OpenAiDouble;
  const secret = fakeOpenAiKey();

  const generateRequests = () => ollama.requests.filter((r) => r.path === '/api/generate').length;
  const chatRequests = () => ollama.requests.filter((r) => r.path === '/api/chat');

  /** Triggers inline suggestions a few times with pauses, as a person asking for them would. */
  async function triggerInline(times = 3): Promise<void> {
    for (let i = 0; i < times; i++) {
      await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
      await new Promise((r) => setTimeout(r, 700));
    }
  }

  before(async function () {
    ollama = await startOllamaDouble({ respond: (r) => (r.path === '/api/chat' ? echoRefactor(r.body) : INLINE_ANSWER) });
    openai = await startOpenAiDouble({ respond: (r) => echoRefactor(r.body) });
    await setUserSetting('local.endpoint', ollama.url);
    await setUserSetting('cloud.baseUrl', `${openai.url}/v1`);
    await vscode.commands.executeCommand('tandem.setApiKey', 'sk-test-privacy-suite-key');
    const app = await vscode.workspace.fs.readFile(workspaceFile('src/app.ts'));
    await writeWorkspaceFile('src/app.ts', new TextDecoder().decode(app).replace(/^(.*PLANTED_SECRET_LINE\n)/m, `$1const key = "${secret}";\n`));
    await eventually('local model ready', async () => (/ready/i.test(await tandemStatusText()) ? true : undefined), 30_000);
  });

  after(async function () {
    await ollama?.close();
    await openai?.close();
  });

  afterEach(async function () {
    await clearNotifications();
    await vscode.commands.executeCommand('tandem.refactor.rejectPreview');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows the privacy mode in the status bar, with the router\'s decision for the active file', async function () {
    await openFileAt('src/util.ts', 0, 0);
    const text = await eventually('privacy item', async () => {
      const t = await privacyStatus();
      return /hybrid/.test(t) ? t : undefined;
    });
    assert.match(text, /hybrid/);
    assert.equal(vscode.workspace.isTrusted, true);
    await screenshot('privacy-status-hybrid');
  });

  it('an open .env (default exclusion) and a .tandemignore\'d file get 0 generate requests; an ordinary file does get one', async function () {
    // Control first: the same trigger in an ordinary file reaches the server.
    await openFileAt('src/util.ts', 3, 0);
    ollama.reset();
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await eventually('a generate request for src/util.ts', () => (generateRequests() >= 1 ? true : undefined), 15_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    for (const file of ['.env', 'internal/notes.ts']) {
      await openFileAt(file, 2, 0);
      await eventually(`privacy item says ${file} is excluded`, async () => (/excluded/.test(await privacyStatus()) ? true : undefined));
      ollama.reset();
      await triggerInline();
      assert.equal(generateRequests(), 0, `no generate request while ${file} is open: ${JSON.stringify(ollama.requests.map((r) => r.path))}`);
      if (file === '.env') await screenshot('privacy-env-excluded');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
    // No prompt ever held the excluded files' text (the control request included).
    assert.equal(ollama.requests.filter((r) => /env_file_marker_pw|tandemignore_marker/.test(JSON.stringify(r.body))).length, 0);
  });

  it('context from other open files never includes an excluded one (an ordinary open file is used)', async function () {
    // Both are TypeScript like src/util.ts, so both are candidates for context snippets.
    await vscode.workspace.openTextDocument(workspaceFile('internal/notes.ts'));
    await vscode.workspace.openTextDocument(workspaceFile('src/app.ts'));
    await openFileAt('src/util.ts', 3, 0);
    ollama.reset();
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await eventually('a generate request', () => (generateRequests() >= 1 ? true : undefined), 15_000);
    const prompts = ollama.requests.filter((r) => r.path === '/api/generate').map((r) => JSON.stringify(r.body));
    assert.ok(prompts.some((p) => p.includes('authHeaders')), 'control: the open src/app.ts informs the prompt');
    for (const p of prompts) assert.ok(!p.includes('tandemignore_marker') && !p.includes('discountTable'), 'the excluded internal/notes.ts never does');
  });

  it('refuses to refactor the .env file, says why, and sends nothing anywhere', async function () {
    const editor = await openFileAt('.env', 0, 0);
    selectLines(editor, 1, 3);
    openai.reset();
    ollama.reset();
    const summary = await refactor('Sort these lines.');
    assert.equal(summary.kind, 'refused', JSON.stringify(summary));
    assert.equal(summary.reason, 'excludedFile');
    assert.match(summary.message ?? '', /excluded/);
    assert.equal(openai.requests.length, 0);
    assert.equal(chatRequests().length, 0);
    const notice = await eventually('the refusal notice', async () => {
      const t = await notificationsText();
      return /excluded/.test(t) ? t : undefined;
    });
    assert.match(notice, /default: \.env\*/, 'the notice names the rule');
    await screenshot('privacy-env-refactor-refused');
    await clearNotifications();
  });

  it('a selection holding a secret asks first: unanswered, nothing is sent', async function () {
    // The question is a modal dialog. VS Code refuses to show dialogs to extension tests (the
    // smoke-test driver is on), which is the same as the user not saying yes: nothing may leave.
    const editor = await openFileAt('src/app.ts', 0, 0);
    const keyLine = editor.document.getText().split('\n').findIndex((l) => l.includes(secret));
    assert.ok(keyLine > 0, 'the planted key is in src/app.ts');
    selectLines(editor, keyLine, keyLine + 4); // the key and the function after it
    openai.reset();
    const summary = await refactor('Read the key from the environment instead.');
    assert.equal(summary.kind, 'refused', JSON.stringify(summary));
    assert.equal(summary.reason, 'secretNotConfirmed');
    assert.match(summary.message ?? '', /looks like a secret/);
    assert.ok(!(summary.message ?? '').includes(secret), 'the message does not quote the secret');
    assert.equal(openai.requests.length, 0, 'nothing was sent');
    await clearNotifications();
  });

  it('confirmed (automation argument), the wire carries a placeholder and the applied result has the secret back', async function () {
    const editor = await openFileAt('src/app.ts', 0, 0);
    const doc = editor.document;
    const keyLine = doc.getText().split('\n').findIndex((l) => l.includes(secret));
    selectLines(editor, keyLine, keyLine + 4);
    const original = doc.getText();
    openai.reset();
    const summary = await vscode.commands.executeCommand<RefactorSummary>('tandem.refactorSelection',
      { instruction: 'Read the key from the environment instead.', confirmSecrets: true });
    assert.equal(summary.kind, 'preview', JSON.stringify(summary));
    assert.equal(summary.route, 'cloud');

    assert.equal(openai.requests.length, 1);
    const wire = JSON.stringify(openai.requests[0].body);
    assert.ok(!wire.includes(secret), 'the secret did not reach the OpenAI double');
    assert.ok(!wire.includes(secret.slice(8, 40)), 'not even part of it');
    assert.match(wire, /TANDEM_REDACTED_/, 'a placeholder went instead');
    assert.equal(openai.requests[0].headers.authorization, 'Bearer sk-test-privacy-suite-key');
    await screenshot('privacy-secret-preview');

    const accepted = await vscode.commands.executeCommand<{ applied: boolean }>('tandem.refactor.acceptPreview');
    assert.equal(accepted.applied, true);
    const after = doc.getText();
    assert.notEqual(after, original);
    assert.ok(after.includes(`const key = "${secret}";`), 'the original secret is restored in the applied text');
    assert.ok(after.includes(ADDED_LINE));
    assert.ok(!after.includes('TANDEM_REDACTED_'));
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('"Tandem: Show What Left This Machine" lists the cloud send: file, bytes, hash, redactions, model, cost', async function () {
    await vscode.commands.executeCommand('tandem.showEgressLog');
    const doc = await eventually('the egress page', () => {
      const d = vscode.window.activeTextEditor?.document;
      return d && d.uri.scheme === 'tandem-egress' && /src\/app\.ts/.test(d.getText()) ? d : undefined;
    }, 15_000);
    const text = doc.getText();
    assert.match(text, /\*\*1 cloud send\*\*/);
    assert.match(text, /· refactor · src\/app\.ts/);
    assert.match(text, new RegExp(`bytes to gpt-5\\.4-mini at 127\\.0\\.0\\.1:${openai.port}, cost \\$\\d`));
    assert.match(text, /Secrets redacted: [1-9]/);
    assert.match(text, /SHA-256: `[0-9a-f]{64}`/);
    assert.ok(!text.includes(secret));
    const lines = await eventually('the page on screen', async () => {
      const l = (await query('.monaco-editor .view-line')).map((n) => n.text.replace(/\u00a0/g, ' ')).join('\n');
      return /What left this machine/.test(l) ? l : undefined;
    });
    assert.match(lines, /Secrets redacted/);
    await screenshot('egress-log');
  });

  it('local-only mode: the status bar says so, the refactor goes to Ollama /api/chat and the OpenAI double gets nothing', async function () {
    await setUserSetting('privacy.mode', 'localOnly');
    const editor = await openFileAt('src/util.ts', 0, 0);
    const status = await eventually('local only in the status bar', async () => {
      const t = await privacyStatus();
      return /local only/.test(t) ? t : undefined;
    });
    assert.match(status, /Nothing leaves this machine/);
    await screenshot('privacy-status-local-only');

    selectLines(editor, 4, 9);
    openai.reset();
    ollama.reset();
    const summary = await refactor('Use map instead of the loop.');
    assert.equal(summary.kind, 'preview', JSON.stringify(summary));
    assert.equal(summary.route, 'local');
    const chats = chatRequests();
    assert.equal(chats.length, 1, 'one request to Ollama\'s chat endpoint');
    assert.match(JSON.stringify(chats[0].body), /values\[i\] \* factor/);
    assert.equal(openai.requests.length, 0, 'nothing went to the cloud');
    await vscode.commands.executeCommand('tandem.refactor.rejectPreview');

    // Local work is not a cloud send: the record still lists exactly one.
    await vscode.commands.executeCommand('tandem.showEgressLog');
    const doc = await eventually('the egress page', () => {
      const d = vscode.window.activeTextEditor?.document;
      return d?.uri.scheme === 'tandem-egress' ? d : undefined;
    });
    assert.match(doc.getText(), /\*\*1 cloud send\*\*/);
    await setUserSetting('privacy.mode', undefined);
  });
});
