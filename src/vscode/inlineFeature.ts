// Inline completions: the engine, the provider that feeds it, the accept hook and the local-model
// status bar item.
import * as vscode from 'vscode';
import { CompletionEngine } from '../core/completion/completionEngine';
import { systemClock } from '../core/completion/clock';
import { engineSettingsFrom } from '../core/completion/engineSettings';
import { pickSnippets, type SnippetCandidate } from '../core/completion/contextSnippets';
import type { TandemSettings } from '../core/settings';
import { ACCEPTED_COMMAND, InlineProvider } from './inlineProvider';
import { LocalModelStatus } from './localModelStatus';
import type { Services } from './services';

export function registerInlineFeature(services: Services): CompletionEngine {
  const { context, log, local } = services;
  let settings = services.settings();
  let engineSettings = engineSettingsFrom(settings);

  const status = new LocalModelStatus();
  status.update(local.state);
  context.subscriptions.push(status, local.onDidChange((s) => status.update(s)));

  const engine = new CompletionEngine({
    backend: () => local.backend,
    clock: systemClock,
    settings: () => engineSettings,
    log: (line) => log.debug(line),
    onStateChange: (s) => { if (s.busy !== local.state.busy) local.update({ busy: s.busy }); },
  });
  context.subscriptions.push({ dispose: () => engine.dispose() });

  const provider = new InlineProvider({
    engine: () => engine,
    allowed: (doc) => {
      if (!settings.inline.enabled) return { ok: false, reason: 'disabled' };
      if (settings.inline.disabledLanguages.includes(doc.languageId)) return { ok: false, reason: 'language' };
      if (doc.uri.scheme === 'output' || doc.uri.scheme === 'vscode-scm') return { ok: false, reason: 'scheme' };
      const excluded = services.exclusion.check(doc.uri);
      // An excluded file never informs a prompt; completing inside it is opt-in and stays local.
      if (excluded.excluded && !settings.inline.enableInExcludedFiles) return { ok: false, reason: `excluded (${excluded.rule})` };
      return { ok: true };
    },
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
    onOutcome: (outcome) => {
      local.noteOutcome(outcome);
      if (outcome.kind === 'skipped') log.debug(`No completion: ${outcome.reason}${outcome.detail ? ` (${outcome.detail})` : ''}`);
    },
  });

  context.subscriptions.push(
    vscode.languages.registerInlineCompletionItemProvider({ pattern: '**' }, provider),
    vscode.commands.registerCommand(ACCEPTED_COMMAND, (ctx, text: string) => engine.accepted(ctx, text)),
    vscode.commands.registerCommand('tandem.checkLocalModel', async () => {
      local.update({ health: { kind: 'checking' } });
      await local.check();
      log.show(true);
    }),
    services.onDidChangeSettings((next: TandemSettings) => {
      const previous = settings;
      settings = next;
      engineSettings = engineSettingsFrom(next);
      local.settingsChanged(previous, next);
    }),
  );
  void local.check();
  return engine;
}
