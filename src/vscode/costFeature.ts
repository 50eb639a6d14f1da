// The cost meter (status bar), the spend view and the spend commands. Everything shown is computed
// in core (summarize, localStats, costMeterView, spendViewModel) from what the ledgers hold; this
// file reads the ledgers, watches them for other windows' writes and puts the result on screen.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { costMeterView, SHOW_SPEND_COMMAND } from '../core/cost/costMeter';
import { SpendLedger } from '../core/cost/ledger';
import { localAcceptedRecord, localShownRecord } from '../core/completion/localEventRecord';
import { localStats } from '../core/cost/localStats';
import { DEFAULT_CLOUD_MODEL, DEFAULT_PRICES, resolvePrice } from '../core/shared/priceTable';
import { spendCsv } from '../core/cost/spendCsv';
import type { SpendRecord } from '../core/cost/spendRecord';
import { summarize } from '../core/cost/spendSummary';
import { spendViewModel, type SpendViewModel } from '../core/cost/spendViewModel';
import { CostMeter } from './costMeter';
import type { InlineObserver } from './inlineFeature';
import { LedgerWatcher } from './ledgerWatcher';
import type { Services } from './services';
import { SpendView } from './spendView';

export const EXPORT_SPEND_COMMAND = 'tandem.exportSpendCsv';
export const RESET_SPEND_COMMAND = 'tandem.resetSpend';

const DAY_MS = 86_400_000;

export interface CostFeature {
  /** Hand to registerInlineFeature: local completions shown and accepted are counted. */
  readonly inlineObserver: InlineObserver;
}

export function registerCostFeature(services: Services): CostFeature {
  const { context, log } = services;
  // Local completion events get a ledger directory of their own: there can be thousands a day, and
  // the budget check before every cloud request reads the cloud ledger, which should stay small.
  const localLedger = new SpendLedger(path.join(context.globalStorageUri.fsPath, 'ledger-local'));
  const ledgers = [services.ledger, localLedger];

  const meter = new CostMeter();
  const view = new SpendView(context.extensionUri, {
    exportCsv: () => void vscode.commands.executeCommand(EXPORT_SPEND_COMMAND),
    reset: () => void vscode.commands.executeCommand(RESET_SPEND_COMMAND),
  });

  let latest: SpendViewModel | undefined;
  const refresh = serialized(async () => {
    const s = services.settings();
    const now = Date.now();
    // The month so far, and the 30 days the chart shows (files are per UTC day: one day of margin).
    const since = Math.min(startOfLocalMonth(now), now - 31 * DAY_MS);
    const [cloud, local] = await Promise.all(ledgers.map((l) => l.read({ sinceMs: since })));
    const priceOf = (model: string) => {
      const p = resolvePrice(model, s.cloud.prices);
      return p.kind === 'known' ? p.row : undefined;
    };
    // Local records live in their own ledger, but refactors run locally are in the cloud one.
    const summary = summarize(cloud.records, now, { rollups: cloud.rollups, priceOf });
    const budget = s.policy.budget;
    const cloudPrice = priceOf(s.cloud.model);
    const equivalentPrice = cloudPrice ?? priceOf(DEFAULT_CLOUD_MODEL) ?? DEFAULT_PRICES[0];
    const localRecords: SpendRecord[] = [...local.records, ...cloud.records.filter((r) => r.route === 'local' && r.localEvent !== undefined)];
    const localToday = localStats(localRecords, equivalentPrice, { sinceMs: startOfLocalDay(now) });
    const localMonth = localStats(localRecords, equivalentPrice, { sinceMs: startOfLocalMonth(now) });

    meter.update(costMeterView({
      summary,
      period: s.cloud.meterPeriod,
      budget,
      cloudModel: s.cloud.model,
      cloudModelPriced: cloudPrice !== undefined,
      localToday,
      formatTime: (ms) => new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }),
    }));
    latest = spendViewModel({
      summary,
      budget,
      cloudModel: s.cloud.model,
      cloudModelPriced: cloudPrice !== undefined,
      localToday,
      localMonth,
      skippedLines: cloud.skippedLines + local.skippedLines,
      rollupUnreadable: cloud.rollupUnreadable || local.rollupUnreadable,
    });
    view.update(latest);
  }, (e) => log.warn(`Could not read the spend ledger: ${errorText(e)}`));

  // Other windows write the same ledgers: watch the directories (a write in this window shows up
  // the same way). Local events come in bursts while typing, so they wait longer before a re-read.
  const watcher = new LedgerWatcher([
    { dir: services.ledger.dir, delayMs: 300 },
    { dir: localLedger.dir, delayMs: 3_000 },
  ], () => void refresh(), (line) => log.warn(line));

  const inlineObserver: InlineObserver = {
    onOutcome: (outcome, doc) => {
      const s = services.settings();
      const record = localShownRecord(outcome, {
        model: s.local.model,
        workspace: services.workspaceName(),
        contextTokens: s.local.contextTokens,
        documentChars: doc.offsetAt(doc.lineAt(doc.lineCount - 1).range.end),
      });
      if (record) appendLocal(record);
    },
    onAccepted: () => {
      appendLocal(localAcceptedRecord({ model: services.settings().local.model, workspace: services.workspaceName() }));
    },
  };
  const appendLocal = (record: Parameters<SpendLedger['append']>[0]) => {
    try {
      // Queued, written in batches: a completion shown while typing does no synchronous write.
      localLedger.appendLater(record, (e) => log.warn(`Could not record local completions: ${errorText(e)}`));
    } catch (e) {
      // Counting local work must never break completions.
      log.warn(`Could not record a local completion: ${errorText(e)}`);
    }
  };

  context.subscriptions.push(
    { dispose: () => localLedger.flushSync() },
    meter,
    view,
    watcher,
    services.onDidChangeSettings(() => void refresh()),
    vscode.commands.registerCommand(SHOW_SPEND_COMMAND, async () => {
      view.show(latest);
      await refresh();
    }),
    vscode.commands.registerCommand(EXPORT_SPEND_COMMAND, (target?: vscode.Uri) => exportCsv(target)),
    vscode.commands.registerCommand(RESET_SPEND_COMMAND, () => reset()),
  );

  /** Writes every record (cloud and local) as CSV; with a Uri argument (scripts, tests) it does not ask where. */
  async function exportCsv(target?: vscode.Uri): Promise<{ file: string; records: number } | undefined> {
    const uri = target instanceof vscode.Uri ? target : await vscode.window.showSaveDialog({
      title: 'Export Tandem spend as CSV',
      defaultUri: vscode.Uri.joinPath(vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir()),
        `tandem-spend-${new Date().toISOString().slice(0, 10)}.csv`),
      filters: { CSV: ['csv'] },
      saveLabel: 'Export',
    });
    if (!uri) return undefined;
    const snapshots = await Promise.all(ledgers.map((l) => l.read()));
    const records = snapshots.flatMap((s) => s.records).sort((a, b) => a.time - b.time);
    await vscode.workspace.fs.writeFile(uri, Buffer.from(spendCsv(records), 'utf8'));
    const rolledUp = snapshots.reduce((n, s) => n + s.rollups.reduce((m, a) => m + a.count, 0), 0);
    void vscode.window.showInformationMessage(`Exported ${records.length} spend records to ${uri.fsPath}.` +
      (rolledUp > 0 ? ` ${rolledUp} older requests are kept only as daily totals and are not in the file.` : ''));
    return { file: uri.fsPath, records: records.length };
  }

  async function reset(): Promise<{ reset: boolean }> {
    // No answer (the dialog closed, or VS Code refused to show it) is no confirmation.
    const choice = await Promise.resolve(vscode.window.showWarningMessage(
      'Reset Tandem spend records?',
      {
        modal: true,
        detail: 'This deletes every cloud spend and local completion record in all windows. Budgets then count from $0.00. ' +
          'Export them as CSV first to keep a copy.',
      },
      'Reset',
    )).catch((e: unknown) => {
      log.warn(`Reset not confirmed: ${errorText(e)}`);
      return undefined;
    });
    if (choice !== 'Reset') return { reset: false };
    const outcomes = await Promise.all(ledgers.map((l) => l.clear()));
    await refresh();
    if (outcomes.some((o) => o.kind !== 'done')) {
      void vscode.window.showWarningMessage('Tandem could not reset every spend record (another window was rolling up old records). Try again.');
      return { reset: false };
    }
    void vscode.window.showInformationMessage('Tandem spend records were reset.');
    return { reset: true };
  }

  void refresh();
  return { inlineObserver };
}

/** Runs `fn` one at a time; calls made while it runs collapse into one more run afterwards. */
function serialized(fn: () => Promise<void>, onError: (e: unknown) => void): () => Promise<void> {
  let running: Promise<void> | undefined;
  let again = false;
  const run = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await fn();
        } catch (e) {
          onError(e);
        }
      } while (again);
    })();
    try {
      await running;
    } finally {
      running = undefined;
    }
  };
  return run;
}

function startOfLocalDay(ms: number): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

function startOfLocalMonth(ms: number): number {
  const d = new Date(ms);
  return new Date(d.getFullYear(), d.getMonth(), 1).getTime();
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
