// The cost meter, the spend view and budgets in a real VS Code, from the Tandem .vsix installed into
// code-server: a refactor against the OpenAI double with known usage must show its exact cost in
// the status bar and in the spend view, and a request over the hard cap must never reach the double.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { startOllamaDouble, type OllamaDouble } from '../../../doubles/ollamaDouble';
import { startOpenAiDouble, type OpenAiDouble } from '../../../doubles/openaiDouble';
import { eventually, notificationToasts, query, queryFrames, screenshot, statusBarItems, type DomNode } from '../../support/driver';
import { openFileAt, setUserSetting } from '../../support/workbench';

const EXTENSION_ID = 'tandem-dev.tandem';

// gpt-5.4-mini at the built-in prices (USD per 1M tokens: input 0.75, cached input 0.075, output 4.5):
// (1200 - 200) × 0.75 + 200 × 0.075 + 300 × 4.5 = 750 + 15 + 1350 micro-dollars = $0.002115.
const USAGE = { prompt_tokens: 1200, completion_tokens: 300, total_tokens: 1500, prompt_tokens_details: { cached_tokens: 200 }, completion_tokens_details: { reasoning_tokens: 0 } };
const EXPECTED_MICROS = 2115;
const EXPECTED_USD = '$0.002115';

/** USD as the view writes it (formatUsd): at least 2 decimals, more only when non-zero. */
function usd(micros: number): string {
  const fraction = String(micros % 1_000_000).padStart(6, '0').replace(/0+$/, '').padEnd(2, '0');
  return `$${Math.floor(micros / 1_000_000)}.${fraction}`;
}

interface RefactorSummary { kind: string; reason?: string; message?: string; costMicros?: number | null; route?: string }

/** The cost meter as rendered in the status bar. */
async function meter(): Promise<DomNode | undefined> {
  return (await statusBarItems()).find((i) => /cloud spend/i.test(i.aria));
}

async function meterShows(pattern: RegExp, timeoutMs = 20_000): Promise<DomNode> {
  return eventually(`cost meter matching ${pattern}`, async () => {
    const m = await meter();
    return m && pattern.test(m.text) ? m : undefined;
  }, timeoutMs);
}

async function refactorMathFile(instruction: string): Promise<RefactorSummary> {
  const editor = await openFileAt('src/math.ts', 0, 0);
  editor.selection = new vscode.Selection(0, 0, 2, 1);
  return (await vscode.commands.executeCommand('tandem.refactorSelection', { instruction })) as RefactorSummary;
}

function chatRequests(double: OpenAiDouble) {
  return double.requests.filter((r) => r.path === '/v1/chat/completions');
}

describe('Tandem installed from the .vsix: cost meter, spend view and budgets', function () {
  let openai: OpenAiDouble;
  let ollama: OllamaDouble | undefined;

  before(async function () {
    openai = await startOpenAiDouble({
      respond: () => '```ts\nexport function add(a: number, b: number): number {\n  return b + a;\n}\n```',
      usage: () => USAGE,
    });
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, 'extension installed');
    await ext.activate();
    await setUserSetting('cloud.baseUrl', `${openai.url}/v1`);
    await vscode.commands.executeCommand('tandem.setApiKey', 'sk-test-cost-meter');
    // Room for the spend view in the screenshots: no side bar, no chat panel.
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    await vscode.commands.executeCommand('workbench.action.closeAuxiliaryBar');
  });

  after(async function () {
    await openai?.close();
    await ollama?.close();
  });

  it('shows $0.00 today in the status bar before any cloud request', async function () {
    const m = await meterShows(/\$0\.00 today/);
    assert.match(m.aria, /Tandem cloud spend today: \$0\.00/);
  });

  it('after a refactor with known usage, the meter shows its exact cost', async function () {
    openai.reset();
    const result = await refactorMathFile('Swap the operands.');
    assert.equal(result.kind, 'preview', JSON.stringify(result));
    assert.equal(result.costMicros, EXPECTED_MICROS);
    assert.equal(chatRequests(openai).length, 1, 'one request reached the double');
    assert.equal(chatRequests(openai)[0].body.model, 'gpt-5.4-mini');

    const m = await meterShows(new RegExp(`\\${EXPECTED_USD} today`));
    assert.equal(m.text.replace(/\s+/g, ' ').trim(), `${EXPECTED_USD} today`);
    assert.ok(!/warning-kind|error-kind/.test(m.className), `no warning colour without a budget: ${m.className}`);
    await vscode.commands.executeCommand('tandem.refactor.rejectPreview');
    await screenshot('cost-meter');
  });

  it('the meter shows the month when tandem.cloud.meterPeriod is "month"', async function () {
    await setUserSetting('cloud.meterPeriod', 'month');
    await meterShows(new RegExp(`\\${EXPECTED_USD} this month`));
    await setUserSetting('cloud.meterPeriod', undefined);
    await meterShows(new RegExp(`\\${EXPECTED_USD} today`));
  });

  it('the spend view opens from the meter\'s command and shows the same cost, the chart and the tables', async function () {
    await vscode.commands.executeCommand('tandem.showSpend');
    const today = await eventually('spend view today card', async () => {
      const cards = await queryFrames('.card.today .card-value');
      return cards.find((c) => c.text.includes(EXPECTED_USD));
    }, 30_000);
    assert.equal(today.text, EXPECTED_USD);
    const models = await queryFrames('#by-model tbody tr');
    assert.equal(models.length, 1);
    assert.match(models[0].text, /gpt-5\.4-mini/);
    assert.match(models[0].text, /\$0\.002115/);
    const commands = await queryFrames('#by-command tbody tr');
    assert.match(commands[0].text, /refactor.*\$0\.002115/);
    // The label is rewritten only after Chart.js drew the chart.
    const canvas = await eventually('chart drawn', async () => (await queryFrames('canvas#daily')).find((c) => /today \$0\.002115/.test(c.aria)));
    assert.ok(canvas);
    const tabs = await query('.tab');
    assert.ok(tabs.some((t) => /Tandem: Spend/.test(t.text)), 'the view is an editor tab');
    await new Promise((r) => setTimeout(r, 500));
    await screenshot('spend-view');
  });

  it('draws budget lines from the settings and stays readable in a light theme', async function () {
    await setUserSetting('cloud.dailyBudgetUsd', 0.004);
    await setUserSetting('cloud.monthlyBudgetUsd', 0.01);
    const budgets = await eventually('budget cards', async () => {
      const cards = await queryFrames('.card.budget');
      return cards.length === 2 ? cards : undefined;
    });
    assert.match(budgets[0].text, /\$0\.002115 of \$0\.004/);
    assert.match(budgets[0].text, /52% used/);
    assert.match(budgets[1].text, /\$0\.002115 of \$0\.01/);
    await eventually('chart with caps', async () => (await queryFrames('canvas#daily')).find((c) => /daily cap \$0\.004; monthly cap \$0\.01/.test(c.aria)));
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', 'Default Light Modern', vscode.ConfigurationTarget.Global);
    await new Promise((r) => setTimeout(r, 1500));
    await screenshot('spend-view-light');
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
    await new Promise((r) => setTimeout(r, 1000));
  });

  it('exports the records as CSV', async function () {
    const target = vscode.Uri.file(path.join(process.env.TANDEM_WORKSPACE ?? '/tmp', 'spend.csv'));
    const result = (await vscode.commands.executeCommand('tandem.exportSpendCsv', target)) as { records: number };
    assert.equal(result.records, 1);
    const csv = fs.readFileSync(target.fsPath, 'utf8').split('\r\n');
    assert.match(csv[0], /^time,workspace,route,command,model,inputTokens,cachedInputTokens,outputTokens,reasoningTokens,costUsd,costMicros/);
    assert.match(csv[1], /,cloud,refactor,gpt-5\.4-mini,1200,200,300,0,0\.002115,2115,reported,/);
  });

  it('refuses a request over the hard cap, with the numbers, and nothing reaches the double', async function () {
    // $0.002115 spent of a $0.004 daily cap; the request could cost up to (input + 4096 output tokens) ≈ $0.019.
    await setUserSetting('cloud.monthlyBudgetUsd', undefined);
    openai.reset();
    const result = await refactorMathFile('Swap the operands again.');
    assert.equal(result.kind, 'refused', JSON.stringify(result));
    const shown = `${result.message ?? ''} ${result.reason ?? ''} ${(await notificationToasts()).map((t) => t.text).join(' ')}`;
    assert.match(shown, /\$0\.002115/, shown);
    assert.match(shown, /daily spend is \$0\.002115 of the \$0\.004 cap/, shown);
    assert.match(shown, /could cost up to \$0\.0\d+/, shown);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(chatRequests(openai).length, 0, `no request reached the double: ${JSON.stringify(openai.requests.map((r) => r.path))}`);
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('colours the meter at the warning threshold and at the cap', async function () {
    await setUserSetting('cloud.dailyBudgetUsd', 0.0025); // 84% used
    const warn = await eventually('warning colour', async () => {
      const m = await meter();
      return m && /warning-kind/.test(m.className) ? m : undefined;
    });
    assert.match(warn.aria, /daily \$0\.002115 of \$0\.0025 \(84%\)/);
    await setUserSetting('cloud.dailyBudgetUsd', 0.002); // over
    const over = await eventually('error colour', async () => {
      const m = await meter();
      return m && /error-kind/.test(m.className) ? m : undefined;
    });
    assert.match(over.aria, /daily \$0\.002115 of \$0\.002 \(105%\)/);
    await screenshot('cost-meter-over-cap');
    await setUserSetting('cloud.dailyBudgetUsd', undefined);
  });

  it('a model with no known price is never free: the meter says so and the budget blocks it', async function () {
    await setUserSetting('cloud.model', 'gpt-unpriced-test');
    const noBudget = await meterShows(/no price for gpt-unpriced-test/);
    assert.match(noBudget.className, /warning-kind/);
    await setUserSetting('cloud.monthlyBudgetUsd', 5);
    const m = await eventually('blocked by the budget', async () => {
      const x = await meter();
      return x && /error-kind/.test(x.className) ? x : undefined;
    });
    assert.match(m.text, /no price for gpt-unpriced-test/);
    assert.match(m.aria, /gpt-unpriced-test has no price, so the budget blocks it until one is set/);
    openai.reset();
    const result = await refactorMathFile('Swap the operands.');
    assert.equal(result.kind, 'refused', JSON.stringify(result));
    assert.equal(chatRequests(openai).length, 0, 'nothing sent for an unpriced model under a budget');
    // A price set by the user unblocks it.
    await setUserSetting('cloud.prices', [{ model: 'gpt-unpriced-test', inputPerMTok: 1, outputPerMTok: 2 }]);
    await eventually('meter without the warning', async () => {
      const x = await meter();
      return x && !/no price/.test(x.text) ? x : undefined;
    });
    await vscode.commands.executeCommand('notifications.clearAll');
    await setUserSetting('cloud.model', undefined);
    await setUserSetting('cloud.prices', undefined);
    await setUserSetting('cloud.monthlyBudgetUsd', undefined);
  });

  it('counts local completions shown and accepted, free, in the spend view', async function () {
    ollama = await startOllamaDouble({ schedule: { firstTokenMs: 20, perTokenMs: 5 } });
    // Fixed server counts, so the savings below can be checked by hand: 1000 × $0.75 + 20 × $4.50 per 1M = $0.00084 each.
    ollama.configure({ respond: () => 'export function sub(a: number, b: number): number {', counts: () => ({ prompt_eval_count: 1000, eval_count: 20 }) });
    await setUserSetting('local.endpoint', ollama.url);
    await eventually('local model ready', async () => ((await statusBarItems()).some((i) => /ready/i.test(`${i.text} ${i.aria}`)) ? true : undefined), 30_000);
    const editor = await openFileAt('src/math.ts', 3, 0);
    await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
    await eventually('ghost text', async () => ((await query('.monaco-editor .ghost-text-decoration, .monaco-editor .ghost-text')).length > 0 ? true : undefined));
    await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
    await eventually('committed', () => (editor.document.getText().includes('export function sub') ? true : undefined));
    await vscode.commands.executeCommand('undo');
    await vscode.commands.executeCommand('tandem.showSpend');
    const cells = await eventually('local row for today', async () => {
      const tds = (await queryFrames('#local tbody tr:first-child td')).map((c) => c.text);
      return tds[0] === 'Today' && Number(tds[1]) >= 1 && tds[2] === '1' ? tds : undefined;
    }, 30_000);
    assert.match(cells[4], /^\d+ ms$/, 'median latency');
    assert.match(cells[7], /^up to \$0\.\d+ \(gpt-5\.4-mini\)$/, 'what the cloud would have cost');
    // Local work costs nothing on the meter.
    await meterShows(new RegExp(`\\${EXPECTED_USD} today`));
    await screenshot('spend-view-local');
  });

  it('answers the hybrid question: month-end forecast, local savings and break-even, in dark and light themes', async function () {
    // Scripted above: one refactor today at $0.002115 (the only day with cloud spend this month) and
    // local completions the Ollama double reported as 1000 prompt + 20 eval tokens ($0.00084 each at
    // gpt-5.4-mini). Forecast = spent + mean of the days with spend × days left = 2115 µ$ × (1 + days left).
    const now = new Date();
    const daysLeft = new Date(now.getFullYear(), now.getMonth() + 1, 0).getDate() - now.getDate();
    const forecast = usd(2115 * (1 + daysLeft));
    await vscode.commands.executeCommand('tandem.showSpend');
    await eventually('forecast panel', async () => (await queryFrames('#forecast .forecast-value')).find((n) => n.text === forecast), 30_000);
    assert.equal((await queryFrames('#break-even .break-even-months')).length, 0, 'no break-even without tandem.local.hardwareCostUsd');

    await setUserSetting('local.hardwareCostUsd', 1);
    await setUserSetting('cloud.monthlyBudgetUsd', 0.003);
    const months = await eventually('break-even figure', async () => (await queryFrames('#break-even .break-even-months'))[0], 30_000);
    const range = (await queryFrames('#forecast .forecast-range'))[0];
    assert.match(range.text, new RegExp(`^range \\${forecast} – \\${forecast} · by \\d{4}-\\d{2}-\\d{2} · ${daysLeft} day\\(s\\) left$`));
    if (daysLeft > 0) {
      const warning = await eventually('budget warning', async () => (await queryFrames('.note.forecast-warning'))[0]);
      assert.match(warning.text, new RegExp(`reaches \\${forecast} by .*, over the \\$0\\.003 monthly budget`));
      assert.equal((await queryFrames('#forecast .forecast-budget'))[0]?.text, 'Over the $0.003 monthly budget');
    }

    const cells = (await queryFrames('#savings tbody tr td')).map((c) => c.text);
    assert.deepEqual(cells.slice(0, 1), ['This month']);
    const shown = Number(cells[1]);
    assert.ok(shown >= 1, `shown completions with server counts: ${cells.join(' | ')}`);
    assert.equal(cells[2], usd(840 * shown), 'saved by shown completions = shown × $0.00084');
    assert.deepEqual(cells.slice(3, 5), ['1', '$0.00084'], 'the accepted completion, priced from its own counts');
    assert.equal(cells[6], 'All time');

    // $1 ÷ (shown × $0.00084 a day × 30.4375): every local record is from today, so the window is 1 day.
    const expectedMonths = 1_000_000 / (840 * shown * 30.4375);
    assert.equal(months.text, `${expectedMonths.toFixed(1)} months${expectedMonths >= 24 ? ` (${(expectedMonths / 12).toFixed(1)} years)` : ''}`);
    const assumptions = (await queryFrames('#break-even .break-even-assumptions'))[0];
    assert.match(assumptions.text, new RegExp(`${shown} shown local completion\\(s\\) over the last 1 day\\(s\\)`));

    const scenario = (await queryFrames('#scenario-costs tbody tr')).map((r) => r.text);
    assert.ok(scenario.some((t) => /gpt-5\.4-mini\s*\$1\.65/.test(t)), scenario.join(' | '));
    assert.ok(scenario.some((t) => /gpt-5\.4-nano\s*\$0\.451/.test(t)), scenario.join(' | '));
    await eventually('forecast on the chart', async () => (await queryFrames('canvas#daily')).find((c) => c.aria.includes(`month-end forecast ${forecast} (dashed)`)));

    const target = vscode.Uri.file(path.join(process.env.TANDEM_WORKSPACE ?? '/tmp', 'spend-outlook.csv'));
    await vscode.commands.executeCommand('tandem.exportSpendCsv', target);
    const csv = fs.readFileSync(target.fsPath, 'utf8');
    assert.match(csv, new RegExp(`\r\nforecastMonthEndUsd,${forecast.slice(1).padEnd(8, '0')},`));
    assert.match(csv, new RegExp(`\r\nlocalSavedAcceptedThisMonthUsd,0\\.000840,`));
    assert.match(csv, new RegExp(`\r\nbreakEvenMonths,${expectedMonths.toFixed(1)},`));

    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', 'Default Dark Modern', vscode.ConfigurationTarget.Global);
    await new Promise((r) => setTimeout(r, 1500));
    await screenshot('spend-outlook-dark');
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', 'Default Light Modern', vscode.ConfigurationTarget.Global);
    await new Promise((r) => setTimeout(r, 1500));
    await screenshot('spend-outlook-light');
    await vscode.workspace.getConfiguration('workbench').update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
    await setUserSetting('local.hardwareCostUsd', undefined);
    await setUserSetting('cloud.monthlyBudgetUsd', undefined);
  });

  it('reset needs the user\'s confirmation: unconfirmed, nothing is cleared', async function () {
    // VS Code refuses modal dialogs while extension tests run ("DialogService: refused to show
    // dialog in tests"): no answer, which must count as no confirmation. The clearing itself is covered
    // by SpendLedger.clear's unit tests, with other processes appending.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const result = await vscode.commands.executeCommand('tandem.resetSpend');
    assert.deepEqual(result, { reset: false });
    await new Promise((r) => setTimeout(r, 1000));
    await meterShows(new RegExp(`\\${EXPECTED_USD} today`));
    const csv = vscode.Uri.file(path.join(process.env.TANDEM_WORKSPACE ?? '/tmp', 'after-reset.csv'));
    const exported = (await vscode.commands.executeCommand('tandem.exportSpendCsv', csv)) as { records: number };
    assert.ok(exported.records >= 3, `cloud and local records kept (${exported.records})`);
  });
});
