// An UNTRUSTED workspace in a real VS Code (workspace trust on), Tandem installed from the .vsix.
// The workspace's .vscode/settings.json tries to point the cloud base URL (where the API key and
// the code would go) and the local endpoint at other servers. VS Code must drop those restricted
// values, and Tandem must send nothing to any cloud server from here.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { startOllamaDouble, type OllamaDouble } from '../../../doubles/ollamaDouble';
import { startOpenAiDouble, type OpenAiDouble } from '../../../doubles/openaiDouble';
import { eventually, screenshot } from '../../support/driver';
import { clearNotifications, echoRefactor, notificationsText, privacyStatus, refactor, selectLines, writeWorkspaceFile, type RefactorSummary } from '../../support/privacy';
import { openFileAt, setUserSetting } from '../../support/workbench';

describe('Untrusted workspace: no cloud request, workspace settings cannot redirect traffic', function () {
  let userCloud: OpenAiDouble;
  let workspaceCloud: OpenAiDouble;
  let ollama: OllamaDouble;
  const cfg = () => vscode.workspace.getConfiguration('tandem');

  before(async function () {
    userCloud = await startOpenAiDouble({ respond: (r) => echoRefactor(r.body) });
    workspaceCloud = await startOpenAiDouble({ respond: (r) => echoRefactor(r.body) });
    ollama = await startOllamaDouble({ respond: (r) => (r.path === '/api/chat' ? echoRefactor(r.body) : 'return 0;') });
    await setUserSetting('cloud.baseUrl', `${userCloud.url}/v1`);
    await setUserSetting('local.endpoint', ollama.url);
    await vscode.commands.executeCommand('tandem.setApiKey', 'sk-test-untrusted-suite-key');
  });

  after(async function () {
    await userCloud?.close();
    await workspaceCloud?.close();
    await ollama?.close();
  });

  afterEach(async function () {
    await vscode.commands.executeCommand('tandem.refactor.rejectPreview');
    await clearNotifications();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('the workspace really is untrusted, and VS Code dropped its restricted values (not the others)', async function () {
    assert.equal(vscode.workspace.isTrusted, false);
    // The unrestricted value from the same file is read: the file itself was seen.
    assert.equal(cfg().get('inline.maxLines'), 3);
    assert.equal(cfg().get('cloud.baseUrl'), `${userCloud.url}/v1`, 'the workspace base URL is ignored');
    assert.equal(cfg().get('local.endpoint'), ollama.url, 'the workspace local endpoint is ignored');
  });

  it('still ignores the base URL when the workspace points it at a live second server', async function () {
    await writeWorkspaceFile('.vscode/settings.json', JSON.stringify({
      'tandem.cloud.baseUrl': `${workspaceCloud.url}/v1`,
      'tandem.local.endpoint': workspaceCloud.url,
      'tandem.inline.maxLines': 4,
    }, null, 2));
    await eventually('the rewritten workspace settings are read', () => (cfg().get('inline.maxLines') === 4 ? true : undefined), 20_000);
    assert.equal(cfg().get('cloud.baseUrl'), `${userCloud.url}/v1`);
    assert.equal(cfg().get('local.endpoint'), ollama.url);
  });

  it('the status bar says the workspace is restricted, with the reason', async function () {
    await openFileAt('src/util.ts', 0, 0);
    const text = await eventually('restricted privacy item', async () => {
      const t = await privacyStatus();
      return /restricted/.test(t) ? t : undefined;
    });
    assert.match(text, /not trusted/);
    await screenshot('untrusted-status');
  });

  it('a refactor attempt makes 0 requests to either OpenAI double, and a notice says why', async function () {
    const editor = await openFileAt('src/util.ts', 4, 0);
    selectLines(editor, 4, 9);
    const summary = await refactor('Use map instead of the loop.');
    assert.equal(summary.kind, 'refused', JSON.stringify(summary));
    assert.equal(summary.reason, 'untrustedWorkspace');
    assert.match(summary.message ?? '', /not trusted/);
    const notice = await eventually('the notice', async () => {
      const t = await notificationsText();
      return /not trusted/.test(t) ? t : undefined;
    });
    assert.match(notice, /Nothing left this machine/);
    assert.match(notice, /Run Locally/, 'the notice offers the local model');
    await screenshot('untrusted-refactor-refused');
    // Give any stray request time to arrive before counting.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(userCloud.requests.length, 0, 'user-level OpenAI double');
    assert.equal(workspaceCloud.requests.length, 0, 'workspace OpenAI double');
    assert.equal(ollama.requests.filter((r) => r.path === '/api/chat').length, 0, 'not quietly run on the local model either');
  });

  it('"Run Locally" uses the user\'s local endpoint (not the workspace\'s) and still nothing reaches a cloud double', async function () {
    const editor = await openFileAt('src/util.ts', 4, 0);
    selectLines(editor, 4, 9);
    const summary = await vscode.commands.executeCommand<RefactorSummary>('tandem.refactorSelection', { instruction: 'Use map instead of the loop.', forceLocal: true });
    assert.equal(summary.kind, 'preview', JSON.stringify(summary));
    assert.equal(summary.route, 'local');
    assert.equal(ollama.requests.filter((r) => r.path === '/api/chat').length, 1);
    assert.equal(userCloud.requests.length, 0);
    assert.equal(workspaceCloud.requests.length, 0);
  });
});
