// What the features share, built once at activation and passed in (no globals): settings, the log,
// the local model's state, the spend ledger, the egress log, the API key, workspace exclusions, trust.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SpendLedger } from '../core/cost/ledger';
import { EgressLog, fileLineStore } from '../core/privacy/egressLog';
import { RefactorService } from '../core/refactor/refactorService';
import { ollamaLocalChatBackend, openAiCloudBackend } from '../core/backends/chatBackends';
import { BudgetReservations } from '../core/cost/budgetReservations';
import { CloudPipeline } from '../core/routing/cloudPipeline';
import type { SettingsSnapshot } from '../core/settings';
import { ProblemNotifier, type Problem } from '../core/setup/problemNotifier';
import { ApiKeyStore } from './apiKeyStore';
import { Configuration } from './configuration';
import { InlineControlStore } from './inlineControlStore';
import { LocalModelMonitor } from './localModelMonitor';
import { WorkspaceExclusion } from './workspaceExclusion';

export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  /** The current settings snapshot (read once per configuration change, workspace tighten-only). */
  settings(): SettingsSnapshot;
  /** Fires after `settings()` already returns the new values. */
  readonly onDidChangeSettings: vscode.Event<SettingsSnapshot>;
  /** Writes settings (the only other way into VS Code's configuration). */
  readonly configuration: Configuration;
  readonly local: LocalModelMonitor;
  readonly ledger: SpendLedger;
  readonly egress: EgressLog;
  /** Where the egress log lives (the "What Left This Machine" command opens it). */
  readonly egressFile: string;
  readonly apiKey: ApiKeyStore;
  readonly exclusion: WorkspaceExclusion;
  readonly refactor: RefactorService;
  /** The one cloud request pipeline (refactor and inline cloud help). */
  readonly cloud: CloudPipeline;
  trusted(): boolean;
  workspaceName(): string;
  /** Snooze and per-language switches of inline completions (status bar menu). */
  readonly inlineControl: InlineControlStore;
  /** At most one message per distinct problem per window; everything else goes to the status bar and log. */
  readonly problems: ProblemNotifier;
}

export function createServices(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Services {
  const configuration = new Configuration((line) => log.warn(line));
  const settings = () => configuration.snapshot;
  // Global storage: every window of this user writes the same ledger and egress log (both are
  // safe for several writers), so "today" means today across windows.
  const storage = context.globalStorageUri.fsPath;
  const ledger = new SpendLedger(path.join(storage, 'ledger'));
  const egressFile = path.join(storage, 'egress.jsonl');
  const egress = new EgressLog(fileLineStore(egressFile));
  const apiKey = new ApiKeyStore(context.secrets);
  const exclusion = new WorkspaceExclusion(() => settings().privacy.exclude);
  const local = new LocalModelMonitor(settings, log);
  const workspaceName = () => vscode.workspace.name ?? 'no workspace';
  const trusted = () => vscode.workspace.isTrusted;
  const inlineControl = new InlineControlStore(configuration);
  const problems = new ProblemNotifier((p) => showProblem(p, log), (p) => {
    // The user asked and got nothing: say why where they look, for a few seconds, no popup.
    log.info(p.message);
    vscode.window.setStatusBarMessage(`$(warning) ${p.message}`, 8000);
  });

  const cloudContext = {
    settings,
    trusted,
    workspaceName,
    isExcluded: (p: string) => exclusion.isExcludedRelative(p),
    localHealth: () => local.state.health,
    apiKey: () => apiKey.get(),
    ledger,
    egress,
    log: (line: string) => log.warn(line),
  };
  const cloud = new CloudPipeline({ ...cloudContext, reservations: new BudgetReservations(ledger), cloudBackend: openAiCloudBackend });
  const refactor = new RefactorService({ ...cloudContext, pipeline: cloud, localBackend: ollamaLocalChatBackend });

  context.subscriptions.push(configuration, apiKey, exclusion, local, inlineControl,
    configuration.onDidChange(() => void exclusion.reload()));
  void exclusion.reload();

  return {
    context, log, local, ledger, egress, egressFile, apiKey, exclusion, refactor, cloud, trusted, workspaceName, inlineControl, problems,
    settings,
    onDidChangeSettings: configuration.onDidChange,
    configuration,
  };
}

/** One toast with the problem's fixes as buttons; not awaited, so nothing waits on the user. */
function showProblem(p: Problem, log: vscode.LogOutputChannel): void {
  const line = `${p.message} (shown once this window)`;
  if (p.severity === 'error') log.error(line);
  else log.warn(line);
  const actions = p.actions ?? [];
  const labels = actions.map((a) => a.label);
  const shown = p.severity === 'error' ? vscode.window.showErrorMessage(p.message, ...labels)
    : p.severity === 'warning' ? vscode.window.showWarningMessage(p.message, ...labels)
      : vscode.window.showInformationMessage(p.message, ...labels);
  void shown.then((picked) => {
    const action = actions.find((a) => a.label === picked);
    if (action) void vscode.commands.executeCommand(action.command, ...(action.args ?? []));
  });
}
