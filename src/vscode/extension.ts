// Activation: wires settings, the local backend, the completion engine, the inline provider and the
// status bar. Cheap on purpose: SDKs load on first use, and the first health check runs after
// activation returns.
import * as vscode from 'vscode';
import { CompletionEngine } from '../core/completion/completionEngine';
import { engineSettingsFrom } from '../core/completion/engineSettings';
import type { CompletionOutcome } from '../core/completion/completionEngine';
import type { LocalState } from '../core/completion/localState';
import type { ModelHealth } from '../core/backends/modelBackend';
import { OllamaBackend } from '../core/backends/ollamaBackend';
import { createLocalBackend } from '../core/backends/createLocalBackend';
import type { TandemSettings } from '../core/settings';
import { currentSettings, onSettingsChanged } from './configuration';
import { ACCEPTED_COMMAND, InlineProvider } from './inlineProvider';
import { LocalModelStatus } from './localModelStatus';
import { systemClock } from '../core/completion/clock';

/** While the server is not ready, look again this often so it recovers without a reload. */
const RECHECK_MS = 15_000;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Tandem', { log: true });
  context.subscriptions.push(log);

  let settings = currentSettings();
  let engineSettings = engineSettingsFrom(settings);
  let backend = createLocalBackend(settings);
  let state: LocalState = initialState(settings);
  const status = new LocalModelStatus();
  context.subscriptions.push(status);
  const setState = (patch: Partial<LocalState>) => {
    state = { ...state, ...patch };
    status.update(state);
  };
  status.update(state);

  const engine = new CompletionEngine({
    backend: () => backend,
    clock: systemClock,
    settings: () => engineSettings,
    log: (line) => log.debug(line),
    onStateChange: (s) => { if (s.busy !== state.busy) setState({ busy: s.busy }); },
  });
  context.subscriptions.push({ dispose: () => engine.dispose() });

  let recheck: NodeJS.Timeout | undefined;
  const checkHealth = async () => {
    clearTimeout(recheck);
    const checked = backend;
    const health: ModelHealth = await checked.checkHealth().catch((e) => ({ kind: 'error' as const, detail: String(e?.message ?? e) }));
    if (checked !== backend) return; // settings changed meanwhile; a newer check is running
    setState({ health });
    log.info(`Local model ${settings.local.model} at ${settings.local.endpoint}: ${health.kind}${'detail' in health ? ` (${health.detail})` : ''}`);
    if (health.kind !== 'ready') {
      recheck = setTimeout(() => void checkHealth(), RECHECK_MS);
    } else if (settings.local.warmUp && backend instanceof OllamaBackend) {
      const warmed = backend;
      warmed.warmUp().then(
        ({ loadMs }) => { if (warmed === backend) setState({ coldStartMs: loadMs }); },
        (e) => log.debug(`Warm-up failed: ${e?.message ?? e}`),
      );
    }
  };
  context.subscriptions.push({ dispose: () => clearTimeout(recheck) });

  const onOutcome = (outcome: CompletionOutcome) => {
    if (outcome.kind === 'shown') {
      if (state.health.kind !== 'ready') void checkHealth();
      const t = outcome.timings;
      if (outcome.source === 'model' && t) {
        setState({
          last: { totalMs: t.totalMs, firstTokenMs: t.firstTokenMs ?? t.totalMs, server: t.server ?? {}, at: Date.now() },
          ...(t.server?.loadMs !== undefined ? { coldStartMs: t.server.loadMs } : {}),
        });
      }
      return;
    }
    log.debug(`No completion: ${outcome.reason}${outcome.detail ? ` (${outcome.detail})` : ''}`);
    const health = healthFromSkip(outcome, settings);
    // The status bar carries this; a popup per failed request would be a storm.
    if (health && health.kind !== state.health.kind) {
      setState({ health });
      recheck = recheck ?? setTimeout(() => void checkHealth(), RECHECK_MS);
    }
  };

  const provider = new InlineProvider({
    engine: () => engine,
    allowed: (doc) => {
      if (!settings.inline.enabled) return { ok: false, reason: 'disabled' };
      if (settings.inline.disabledLanguages.includes(doc.languageId)) return { ok: false, reason: 'language' };
      if (doc.uri.scheme === 'output' || doc.uri.scheme === 'vscode-scm') return { ok: false, reason: 'scheme' };
      return { ok: true };
    },
    onOutcome,
  });
  context.subscriptions.push(
    vscode.languages.registerInlineCompletionItemProvider({ pattern: '**' }, provider),
    vscode.commands.registerCommand(ACCEPTED_COMMAND, (ctx, text: string) => engine.accepted(ctx, text)),
    vscode.commands.registerCommand('tandem.checkLocalModel', async () => {
      setState({ health: { kind: 'checking' } });
      await checkHealth();
      log.show(true);
    }),
    onSettingsChanged((next: TandemSettings) => {
      const backendChanged = next.local.provider !== settings.local.provider || next.local.endpoint !== settings.local.endpoint
        || next.local.model !== settings.local.model || next.local.keepAlive !== settings.local.keepAlive;
      settings = next;
      engineSettings = engineSettingsFrom(next);
      if (backendChanged) {
        backend = createLocalBackend(settings);
        setState({ ...initialState(settings), busy: false });
        void checkHealth();
      } else {
        setState({ inlineEnabled: settings.inline.enabled, privacyMode: settings.privacy.mode });
      }
    }),
  );

  void checkHealth();
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}

function initialState(s: TandemSettings): LocalState {
  return {
    health: { kind: 'checking' },
    busy: false,
    provider: s.local.provider,
    endpoint: s.local.endpoint,
    model: s.local.model,
    inlineEnabled: s.inline.enabled,
    privacyMode: s.privacy.mode,
  };
}

function healthFromSkip(o: Extract<CompletionOutcome, { kind: 'skipped' }>, s: TandemSettings): ModelHealth | undefined {
  switch (o.reason) {
    case 'backendDown': return { kind: 'offline', detail: o.detail ?? 'not reachable' };
    case 'modelMissing': return { kind: 'modelMissing', model: s.local.model, detail: o.detail ?? '' };
    case 'noFim': return { kind: 'noFim', model: s.local.model, detail: o.detail ?? '' };
    default: return undefined;
  }
}
