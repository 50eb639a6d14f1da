// The refactor command in a real VS Code, from the Tandem .vsix installed into code-server, against
// the loopback OpenAI double: what a person sees (the diff preview and its buttons, the progress
// notification, error notices and their buttons) and what the server saw (requests, headers,
// disconnects). The API key is random per run and must turn up only in the Authorization header.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startOpenAiDouble, type OpenAiDouble } from '../../../doubles/openaiDouble';
import { eventually, press, query, screenshot } from '../../support/driver';
import { openFileAt, setUserSetting } from '../../support/workbench';

const EXTENSION_ID = 'tandem-dev.tandem';
const KEY = `sk-test-${randomBytes(18).toString('hex')}`;
const FILE = 'src/shapes.ts';
const NEW_AREA = [
  'export function area(w: number, h: number): number {',
  '  const result = w * h;',
  '  return result;',
  '}',
].join('\n');
const FENCED_REPLY = `Here is the refactored code:\n\n\`\`\`typescript\n${NEW_AREA}\n\`\`\`\n`;

interface Summary { kind: string; reason?: string; message?: string; costMicros?: number | null; route?: string }

/** Console output of this extension host while the suite runs (checked for the key at the end). */
const printed: string[] = [];

function nbsp(s: string): string {
  return s.replace(/\u00a0/g, ' ');
}

/** Opens the file with the `area` function (lines 1-4) selected; returns the editor and the original text. */
async function selectArea(): Promise<{ editor: vscode.TextEditor; original: string; selected: string }> {
  const editor = await openFileAt(FILE, 1, 0);
  await vscode.commands.executeCommand('workbench.action.files.revert');
  editor.selection = new vscode.Selection(1, 0, 4, 1);
  return { editor, original: editor.document.getText(), selected: editor.document.getText(editor.selection) };
}

function previewTab(): vscode.Tab | undefined {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) =>
    t.input instanceof vscode.TabInputTextDiff && t.input.modified.scheme === 'tandem-preview');
}

/**
 * The notifications as a person sees them in the notification center (message, source, buttons).
 * With the smoke-test driver on (which this harness needs), VS Code shows no toasts at all
 * (NotificationsToasts.addToast skips them), so the center is where notices can be seen.
 */
async function notificationsText(): Promise<string> {
  await vscode.commands.executeCommand('notifications.showList');
  const items = await query('.notifications-center .notification-list-item');
  const rows = await query('.notifications-center .monaco-list-row');
  return nbsp([...items.map((n) => n.text), ...rows.map((n) => n.aria)].join(' | '));
}

function chatRequests(double: OpenAiDouble) {
  return double.requests.filter((r) => r.path === '/v1/chat/completions');
}


/**
 * The code actions VS Code offers for a range. The workbench cancels a pending request when the
 * editor's state moves on (a selection or decoration update just after selectArea), which is not
 * the provider's doing; ask again then, a few times.
 */
async function codeActions(uri: vscode.Uri, range: vscode.Range, kind?: string): Promise<vscode.CodeAction[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, kind);
    } catch (e) {
      if (attempt >= 3 || !/Canceled/.test(String((e as Error)?.message ?? e))) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
describe('Tandem installed from the .vsix: the refactor command', function () {
  this.timeout(90_000);
  let double: OpenAiDouble;
  const originalConsole = { ...console };

  before(async function () {
    for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      console[level] = (...args: unknown[]) => {
        printed.push(args.map(String).join(' '));
        originalConsole[level](...args);
      };
    }
    double = await startOpenAiDouble({ apiKey: KEY, schedule: { firstTokenMs: 10, perTokenMs: 2 }, respond: () => FENCED_REPLY });
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'extension installed');
    await ext.activate();
    // A user-level base URL: the key may go there.
    await setUserSetting('cloud.baseUrl', `${double.url}/v1`);
    const stored = await vscode.commands.executeCommand<{ stored: boolean }>('tandem.setApiKey', KEY);
    assert.deepEqual(stored, { stored: true });
  });

  after(async function () {
    Object.assign(console, originalConsole);
    await double?.close();
  });

  beforeEach(function () {
    double.configure({ fault: { kind: 'none' }, schedule: { firstTokenMs: 10, perTokenMs: 2 }, respond: () => FENCED_REPLY });
    double.reset();
  });

  afterEach(async function () {
    await vscode.commands.executeCommand('tandem.refactor.rejectPreview');
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('notifications.hideList');
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('declares its commands, the context menu and the preview buttons in the installed manifest', function () {
    const pkg = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { commands: Array<{ command: string; title: string; category: string }>; menus: Record<string, Array<{ command: string; when?: string }>> };
    };
    const titles = new Map(pkg.contributes.commands.map((c) => [c.command, `${c.category}: ${c.title}`]));
    assert.equal(titles.get('tandem.refactorSelection'), 'Tandem: Refactor Selection...');
    assert.equal(titles.get('tandem.setApiKey'), 'Tandem: Set OpenAI API Key');
    assert.equal(titles.get('tandem.clearApiKey'), 'Tandem: Clear OpenAI API Key');
    assert.ok(pkg.contributes.menus['editor/context'].some((m) => m.command === 'tandem.refactorSelection' && /editorHasSelection/.test(m.when ?? '')));
    const hidden = pkg.contributes.menus.commandPalette.filter((m) => m.when === 'false').map((m) => m.command).sort();
    assert.deepEqual(hidden, ['tandem.refactor.acceptPreview', 'tandem.refactor.cancel', 'tandem.refactor.rejectPreview']);
  });

  it('offers a RefactorRewrite code action on a non-empty selection only', async function () {
    const { editor } = await selectArea();
    const actions = await codeActions(editor.document.uri, editor.selection, vscode.CodeActionKind.RefactorRewrite.value);
    const ours = actions.find((a) => a.command?.command === 'tandem.refactorSelection');
    assert.ok(ours, `code actions: ${actions.map((a) => a.title).join(', ')}`);
    assert.equal(ours.title, 'Refactor with Tandem…');
    assert.ok(ours.kind && vscode.CodeActionKind.RefactorRewrite.contains(ours.kind));
    const empty = await codeActions(editor.document.uri, new vscode.Range(2, 2, 2, 2));
    assert.ok(!empty.some((a) => a.command?.command === 'tandem.refactorSelection'), 'no Tandem action on an empty selection');
  });

  it('streams the selection, context, language and instruction to the model and shows a diff preview; Accept applies one undoable edit', async function () {
    const { editor, original, selected } = await selectArea();
    const summary = await vscode.commands.executeCommand<Summary>('tandem.refactorSelection', { instruction: 'use const instead of var' });
    assert.equal(summary.kind, 'preview', JSON.stringify(summary));
    assert.equal(summary.route, 'cloud');
    assert.equal(typeof summary.costMicros, 'number');

    // What the server saw: one streamed Chat Completion asking for usage, with everything the model needs.
    const reqs = chatRequests(double);
    assert.equal(reqs.length, 1);
    const body = reqs[0].body;
    assert.equal(body.model, 'gpt-5.4-mini');
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
    const user = String(body.messages.at(-1).content);
    assert.ok(user.includes(selected), 'the selection was sent');
    assert.ok(user.includes('use const instead of var'), 'the instruction was sent');
    assert.ok(user.includes('Language: typescript'), 'the language was sent');
    assert.ok(user.includes('export function perimeter'), 'the surrounding code was sent as context');
    assert.equal(editor.document.getText(), original, 'a preview is not an edit');

    // What a person sees: a diff editor with the proposal, and Accept/Reject in its title bar.
    assert.ok(previewTab(), 'a diff tab with the tandem-preview document is open');
    await eventually('the proposed code in the diff editor', async () => {
      const lines = nbsp((await query('.monaco-diff-editor .editor.modified .view-line')).map((n) => n.text).join('\n'));
      return lines.includes('const result = w * h;') ? lines : undefined;
    });
    const buttons = await eventually('Accept and Reject buttons', async () => {
      const b = await query('.editor-actions [aria-label]');
      const labels = b.map((n) => n.aria);
      return labels.some((l) => l.startsWith('Accept Refactor')) && labels.some((l) => l.startsWith('Reject Refactor')) ? labels : undefined;
    });
    assert.ok(buttons.length >= 2);
    await screenshot('refactor-preview');

    const accepted = await vscode.commands.executeCommand<{ applied: boolean }>('tandem.refactor.acceptPreview');
    assert.deepEqual(accepted, { applied: true });
    assert.equal(editor.document.getText(), original.replace(selected, NEW_AREA), 'the document holds exactly the refactored code');
    assert.equal(previewTab(), undefined, 'the preview closed');
    await eventually('the preview buttons are gone', async () =>
      ((await query('.editor-actions [aria-label^="Accept Refactor"]')).length === 0 ? true : undefined));

    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('undo');
    assert.equal(editor.document.getText(), original, 'one undo restores the original');
  });

  it('Reject leaves the document unchanged', async function () {
    const { editor, original } = await selectArea();
    const summary = await vscode.commands.executeCommand<Summary>('tandem.refactorSelection', { instruction: 'use const' });
    assert.equal(summary.kind, 'preview');
    assert.ok(previewTab());
    const rejected = await vscode.commands.executeCommand<{ rejected: boolean }>('tandem.refactor.rejectPreview');
    assert.deepEqual(rejected, { rejected: true });
    assert.equal(previewTab(), undefined);
    assert.equal(editor.document.getText(), original);
    assert.equal(editor.document.isDirty, false);
    const again = await vscode.commands.executeCommand<{ applied: boolean; reason?: string }>('tandem.refactor.acceptPreview');
    assert.deepEqual(again, { applied: false, reason: 'noPreview' });
    assert.equal(editor.document.getText(), original);
  });

  it('does not apply a stale result: says so and offers to re-run', async function () {
    const { editor, original } = await selectArea();
    const summary = await vscode.commands.executeCommand<Summary>('tandem.refactorSelection', { instruction: 'use const' });
    assert.equal(summary.kind, 'preview');
    // The user edits the selected code while the preview is open.
    const doc = editor.document;
    const varAt = doc.getText().indexOf('var result');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(doc.positionAt(varAt), doc.positionAt(varAt + 3)), 'let');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const edited = doc.getText();
    assert.notEqual(edited, original);

    const accepted = await vscode.commands.executeCommand<{ applied: boolean; reason?: string }>('tandem.refactor.acceptPreview');
    assert.deepEqual(accepted, { applied: false, reason: 'stale' });
    assert.equal(doc.getText(), edited, 'nothing was applied over the user\'s edit');
    const toast = await eventually('the stale notice', async () => {
      const t = await notificationsText();
      return /changed since the refactor was requested/.test(t) ? t : undefined;
    });
    assert.match(toast, /Re-run/);
  });

  it('asks for the instruction in a QuickPick that remembers recent instructions', async function () {
    await selectArea();
    const running = vscode.commands.executeCommand<Summary>('tandem.refactorSelection');
    await eventually('the instruction picker', async () => ((await query('.quick-input-widget .quick-input-title')).some((n) => /Refactor Selection/.test(n.text)) ? true : undefined));
    for (const ch of 'rename w') await press(ch === ' ' ? 'Space' : ch);
    await eventually('the typed instruction offered', async () => ((await query('.quick-input-list .monaco-list-row')).some((n) => nbsp(n.text).includes('rename w')) ? true : undefined));
    await press('Enter');
    const summary = await running;
    assert.equal(summary.kind, 'preview');
    assert.ok(String(chatRequests(double)[0].body.messages.at(-1).content).includes('Instruction: rename w'));
    await vscode.commands.executeCommand('tandem.refactor.rejectPreview');

    // The next time, it is listed as a recent instruction; Escape cancels without sending.
    double.reset();
    await selectArea();
    const second = vscode.commands.executeCommand<Summary>('tandem.refactorSelection');
    // Wait for the new picker's list, not the closing one's (whose typed row also says 'rename w'):
    // it lists both recent instructions, and no typed-text row.
    const rows = await eventually('recent instructions', async () => {
      const r = (await query('.quick-input-list .monaco-list-row')).map((n) => nbsp(n.text));
      return r.some((t) => t.includes('rename w')) && r.some((t) => t.includes('use const')) ? r : undefined;
    });
    assert.ok(!rows.some((t) => t.includes('new instruction')), `only recent instructions: ${rows.join(' / ')}`);
    await press('Escape');
    assert.equal((await second).kind, 'cancelled');
    assert.equal(chatRequests(double).length, 0);
  });

  it('a rejected key (401) shows a message with a "Set API Key" action; nothing applied', async function () {
    const wrong = `sk-test-wrong-${randomBytes(8).toString('hex')}`;
    await vscode.commands.executeCommand('tandem.setApiKey', wrong);
    try {
      const { editor, original } = await selectArea();
      const summary = await vscode.commands.executeCommand<Summary>('tandem.refactorSelection', { instruction: 'use const' });
      assert.equal(summary.kind, 'failed');
      assert.equal(summary.reason, 'unauthorized');
      assert.match(summary.message ?? '', /401/);
      assert.equal(chatRequests(double)[0].status, 401);
      const toast = await eventually('the 401 notice', async () => {
        const t = await notificationsText();
        return /rejected the API key/.test(t) ? t : undefined;
      });
      assert.match(toast, /Set API Key/);
      assert.ok(!toast.includes(wrong) && !/sk-/.test(toast), 'the notice does not quote the key, not even masked');
      await screenshot('refactor-401');
      assert.equal(editor.document.getText(), original);
      assert.equal(previewTab(), undefined);
    } finally {
      await vscode.commands.executeCommand('tandem.setApiKey', KEY);
    }
  });

  it('shows progress with the streamed size and the cost ceiling; Cancel aborts the request at the server and applies nothing', async function () {
    double.configure({ schedule: { firstTokenMs: 50, perTokenMs: 120 }, respond: () => `\`\`\`typescript\n${NEW_AREA}\n${'// slow\n'.repeat(40)}\`\`\`` });
    const { editor, original } = await selectArea();
    const running = vscode.commands.executeCommand<Summary>('tandem.refactorSelection', { instruction: 'use const' });
    await eventually('streaming at the server', () => ((double.generations[0]?.tokensSent ?? 0) >= 5 ? true : undefined), 30_000);
    const progress = await eventually('the progress notification with streamed size and cost', async () => {
      const t = await notificationsText();
      return /chars received/.test(t) && /≤ \$0\.\d+/.test(t) ? t : undefined;
    }, 20_000);
    assert.match(progress, /refactoring with gpt-5\.4-mini/);
    await screenshot('refactor-progress');
    const cancelled = await vscode.commands.executeCommand<{ cancelled: boolean }>('tandem.refactor.cancel');
    assert.deepEqual(cancelled, { cancelled: true });
    const summary = await running;
    assert.equal(summary.kind, 'cancelled');
    await eventually('the server saw the disconnect', () => (double.disconnects.length >= 1 ? true : undefined), 10_000);
    assert.equal(double.generations[0].completed, false);
    assert.equal(editor.document.getText(), original);
    assert.equal(previewTab(), undefined);
  });

  it('retries a 429 after Retry-After and then shows the preview', async function () {
    double.configure({ fault: { kind: 'status', status: 429, times: 1, headers: { 'retry-after': '1' } } });
    await selectArea();
    const summary = await vscode.commands.executeCommand<Summary>('tandem.refactorSelection', { instruction: 'use const' });
    assert.equal(summary.kind, 'preview');
    const reqs = chatRequests(double);
    assert.deepEqual(reqs.map((r) => r.status), [429, 200]);
    assert.ok(reqs[1].receivedAt - reqs[0].receivedAt >= 900, 'waited for Retry-After');
  });

  for (const c of [
    { name: 'a persistent 429', fault: { kind: 'status', status: 429, headers: { 'retry-after': '1' } } as const, reason: 'rateLimited', text: /rate limiting requests \(429\)/, requests: 3 },
    { name: 'a 500', fault: { kind: 'status', status: 500 } as const, reason: 'server', text: /server error \(500\)/, requests: 1 },
    { name: 'a malformed stream', fault: { kind: 'malformedChunk', afterChunks: 3 } as const, reason: 'malformed', text: /not valid streaming JSON/, requests: 1 },
    { name: 'a dropped connection', fault: { kind: 'dropAfterChunks', n: 3 } as const, reason: 'network', text: /dropped before the reply finished/, requests: 1 },
  ]) {
    it(`${c.name}: a clear message, nothing applied`, async function () {
      double.configure({ fault: c.fault });
      const { editor, original } = await selectArea();
      const summary = await vscode.commands.executeCommand<Summary>('tandem.refactorSelection', { instruction: 'use const' });
      assert.equal(summary.kind, 'failed', JSON.stringify(summary));
      assert.equal(summary.reason, c.reason);
      assert.match(summary.message ?? '', c.text);
      assert.equal(chatRequests(double).length, c.requests);
      const toast = await eventually('the error notice', async () => {
        const t = await notificationsText();
        return c.text.test(t) ? t : undefined;
      });
      assert.match(toast, /Retry/);
      assert.equal(editor.document.getText(), original);
      assert.equal(previewTab(), undefined);
    });
  }

  it('a server that never answers: a timeout message after tandem.cloud.timeoutSeconds', async function () {
    await setUserSetting('cloud.timeoutSeconds', 5);
    try {
      double.configure({ fault: { kind: 'hang' } });
      const { editor, original } = await selectArea();
      const summary = await vscode.commands.executeCommand<Summary>('tandem.refactorSelection', { instruction: 'use const' });
      assert.equal(summary.kind, 'failed');
      assert.equal(summary.reason, 'timeout');
      assert.match(summary.message ?? '', /stopped answering for 5 s/);
      await eventually('the server saw the client give up', () => (double.disconnects.length >= 1 ? true : undefined), 10_000);
      assert.equal(editor.document.getText(), original);
    } finally {
      await setUserSetting('cloud.timeoutSeconds', undefined);
    }
  });

  it('the key appears only in the Authorization header the server saw: not in settings, logs, records or output', async function () {
    // The double recorded every request of the suite since the last reset: run one more to have one here.
    await selectArea();
    assert.equal((await vscode.commands.executeCommand<Summary>('tandem.refactorSelection', { instruction: 'use const' })).kind, 'preview');
    const reqs = chatRequests(double);
    assert.ok(reqs.length >= 1);
    for (const r of reqs) {
      assert.equal(r.headers.authorization, `Bearer ${KEY}`, 'the key went in the Authorization header');
      const others = Object.entries(r.headers).filter(([k]) => k !== 'authorization').map(([, v]) => String(v)).join('\n');
      assert.ok(!others.includes(KEY), 'no other header carries the key');
      assert.ok(!JSON.stringify(r.body).includes(KEY), 'the request body does not carry the key');
    }

    const settingsFile = process.env.TANDEM_USER_SETTINGS;
    assert.ok(settingsFile && fs.existsSync(settingsFile), 'the user settings file exists');
    const settingsText = fs.readFileSync(settingsFile, 'utf8');
    assert.ok(settingsText.includes('tandem.cloud.baseUrl'), 'this is the settings file Tandem was configured in');
    assert.ok(!settingsText.includes(KEY), 'the key is not in settings.json');

    // Every log file under the user-data dir (window, server, extension host and Tandem's own
    // output channel), and everything Tandem wrote to its global storage (ledger, egress log).
    const userData = path.dirname(path.dirname(settingsFile));
    const tandemStorage = path.join(userData, 'User', 'globalStorage', EXTENSION_ID);
    const files = (): string[] => [...walk(path.join(userData, 'logs')), ...walk(userData).filter((f) => f.endsWith('.log')), ...walk(tandemStorage)];
    const tandemLog = await eventually('Tandem\'s own log file with the refactor lines', () => files().find((f) =>
      /tandem/i.test(f) && f.endsWith('.log') && fs.readFileSync(f, 'utf8').includes('Refactor (cloud): preview')), 20_000);
    assert.ok(tandemLog);
    assert.ok(files().some((f) => f.endsWith('egress.jsonl')), 'the egress log was written');
    const leaking = [...new Set(files())].filter((f) => fs.readFileSync(f).includes(KEY));
    assert.deepEqual(leaking.map((f) => path.relative(userData, f)), [], 'no log or record file contains the key');

    // The console of this extension host during the whole suite (what the test run prints).
    assert.equal(printed.filter((l) => l.includes(KEY)).length, 0, 'nothing printed contains the key');
  });
});

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (e.isFile() && fs.statSync(p).size < 20_000_000) out.push(p);
  }
  return out;
}
