// Inline completions: the engine, the provider that feeds it, the accept hook and the local-model
// status bar item.
import * as vscode from 'vscode';
import { CompletionEngine, type CompletionOutcome } from '../core/completion/completionEngine';
import { systemClock } from '../core/shared/clock';
import { engineSettingsFrom } from '../core/completion/engineSettings';
import { pickSnippets, type SnippetCandidate } from '../core/completion/contextSnippets';
import { localDestination } from '../core/privacy/localDestination';
import { inlineAllowed } from '../core/setup/inlineControl';
import { problemForInlineFailure } from '../core/setup/problemNotifier';
import { createCloudInline } from './cloudInline';
import { ACCEPTED_COMMAND, InlineProvider } from './inlineProvider';
import { LocalModelStatus } from './localModelStatus';
import type { Services } from './services';

/** Another feature that wants to know what was shown and accepted (the cost meter counts local work). */
export interface InlineObserver {
  onOutcome(outcome: CompletionOutcome, doc: vscode.TextDocument): void;
  onAccepted(text: string): void;
}

export function registerInlineFeature(services: Services, observer?: InlineObserver): CompletionEngine {
  const { context, log, local } = services;
  let settings = services.settings();
  let engineSettings = engineSettingsFrom(settings);

  const { inlineControl, problems } = services;
  const status = new LocalModelStatus();
  const refreshStatus = () => status.update({ ...local.state, snoozedUntil: inlineControl.snoozedUntil });
  refreshStatus();
  context.subscriptions.push(status, local.onDidChange(refreshStatus), inlineControl.onDidChange(refreshStatus));

  const engine = new CompletionEngine({
    backend: () => local.backend,
    clock: systemClock,
    settings: () => engineSettings,
    log: (line) => log.debug(line),
    onStateChange: (s) => { if (s.busy !== local.state.busy) local.update({ busy: s.busy }); },
    serverProbe: () => local.state.probe,
  });
  context.subscriptions.push({ dispose: () => engine.dispose() });
  let lastHealth = local.state.health.kind;
  context.subscriptions.push(local.onDidChange((s) => {
    // Back from down, missing or broken: completions resume at once, not after the breaker's backoff.
    if (s.health.kind === 'ready' && lastHealth !== 'ready') engine.noteServerHealthy();
    lastHealth = s.health.kind;
  }));

  const cloud = createCloudInline(services);
  const provider = new InlineProvider({
    engine: () => engine,
    cloud: (doc, ctx, signal) => cloud.complete(doc, ctx, signal),
    allowed: (doc, trigger) => inlineAllowed(inlineControl.state(settings), {
      languageId: doc.languageId, trigger, now: Date.now(), scheme: doc.uri.scheme,
      mode: settings.privacy.mode, trusted: services.trusted(), excluded: services.exclusion.check(doc.uri),
      enableInExcludedFiles: settings.inline.enableInExcludedFiles,
      localDestination: localDestination(settings.local.endpoint, settings.local.allowedRemoteHosts),
    }),
    snippets: (doc) => {
      const visible = new Map(vscode.window.visibleTextEditors.map((e) => [e.document.uri.toString(), e]));
      const candidates: SnippetCandidate[] = vscode.workspace.textDocuments
        .filter((d) => d.uri.scheme === 'file' && d.languageId === doc.languageId && d !== doc)
        .map((d) => {
          const editor = visible.get(d.uri.toString());
          return {
            path: services.exclusion.relativePath(d.uri),
            languageId: d.languageId,
            readText: () => d.getText(),
            ...(editor ? { focusOffset: d.offsetAt(editor.selection.active) } : {}),
            excluded: services.exclusion.check(d.uri).excluded,
          };
        });
      return pickSnippets({ path: services.exclusion.relativePath(doc.uri), languageId: doc.languageId }, candidates);
    },
    onOutcome: (outcome, doc, trigger) => {
      local.noteOutcome(outcome);
      if (outcome.kind === 'shown') cloud.localShown();
      observer?.onOutcome(outcome, doc);
      if (outcome.kind === 'skipped') {
        log.debug(`No completion: ${outcome.reason}${outcome.detail ? ` (${outcome.detail})` : ''}`);
        // Most failures are the status bar's to show; a few deserve one message per window.
        const problem = problemForInlineFailure({
          reason: outcome.reason, detail: outcome.detail, trigger,
          model: settings.local.model, endpoint: settings.local.endpoint, provider: settings.local.provider,
          consecutiveFailures: engine.state.circuit.failures,
        });
        if (problem) problems.report(problem);
      }
    },
  });

  context.subscriptions.push(
    vscode.languages.registerInlineCompletionItemProvider({ pattern: '**' }, provider),
    vscode.commands.registerCommand(ACCEPTED_COMMAND, (ctx, text: string) => { engine.accepted(ctx, text); observer?.onAccepted(text); }),
    vscode.commands.registerCommand('tandem.checkLocalModel', async () => {
      local.update({ health: { kind: 'checking' } });
      await local.check();
      log.show(true);
    }),
    services.onDidChangeSettings((next) => {
      const previous = settings;
      settings = next;
      engineSettings = engineSettingsFrom(next);
      local.settingsChanged(previous, next);
    }),
  );
  // The first check waits for the token (one SecretStorage read), so it carries it.
  void services.localToken.ready().then(() => local.tokenChanged());
  return engine;
}
