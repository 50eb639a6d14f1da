// What the local side is doing, as one value: the status bar, its tooltip and the log all read it.
import type { ModelHealth, ServerTimings } from '../shared/modelBackend';

export interface LocalState {
  readonly health: ModelHealth | { kind: 'checking' };
  readonly busy: boolean;
  readonly provider: 'ollama' | 'openai-compatible';
  readonly endpoint: string;
  readonly model: string;
  readonly inlineEnabled: boolean;
  readonly privacyMode?: 'hybrid' | 'localOnly';
  /** tandem.inline.cloudFallback: inline completions may come from the cloud on invoke or when local is down. */
  readonly cloudFallback?: boolean;
  /** Latest completion: what the user waited and what the server said about itself. */
  readonly last?: { totalMs: number; firstTokenMs: number; server: ServerTimings; at: number };
  /** A load_duration this large means the model was not in memory: the user paid a cold start. */
  readonly coldStartMs?: number;
  /** What the server reported for the warm-up probe: its prompt and token rates size the prompts. */
  readonly probe?: ServerTimings;
  /** Automatic completions are snoozed until this time (ms since epoch). */
  readonly snoozedUntil?: number;
  /** While the circuit breaker holds automatic requests back: when the next try goes (ms from now). */
  readonly retryInMs?: number;
  /**
   * The endpoint is another machine (localDestination): code goes there. `blocked`: local-only mode
   * refuses it because the user did not allow that host.
   */
  readonly remote?: { host: string; blocked: boolean };
  /** A local server token is set (and this endpoint may receive it). */
  readonly tokenSet?: boolean;
}

/** A model load that takes longer than this is shown as a cold start. */
export const COLD_START_MS = 1000;
/** A first token slower than this is shown as "slow": ghost text that late misses the pause. */
export const SLOW_FIRST_TOKEN_MS = 1500;

export interface LocalStateView {
  icon: string;
  text: string;
  severity: 'ok' | 'warning' | 'error';
  /** First line is the one-sentence summary; the rest are details. */
  tooltip: string[];
}

export function describeLocalState(s: LocalState, now: number = Date.now()): LocalStateView {
  const where = `${s.model} via ${s.provider === 'ollama' ? 'Ollama' : 'an OpenAI-compatible server'} at ${s.endpoint}`;
  const details: string[] = [];
  if (s.remote) {
    details.push(s.remote.blocked
      ? `Nothing is sent: ${s.remote.host} is another machine and privacy mode is local-only (allow it in tandem.local.allowedRemoteHosts, user settings).`
      : `Code goes to ${s.remote.host}, another machine: each request is recorded in What Left This Machine.`);
  }
  if (s.privacyMode) details.push(`Privacy mode: ${privacyLine(s)}.`);
  if (s.last) {
    details.push(`Last completion: ${Math.round(s.last.totalMs)} ms (first token ${Math.round(s.last.firstTokenMs)} ms).`);
  }
  if (s.coldStartMs !== undefined && s.coldStartMs >= COLD_START_MS) {
    details.push(`Cold start: loading the model took ${(s.coldStartMs / 1000).toFixed(1)} s. Raise tandem.local.keepAlive to keep it loaded.`);
  }
  const h = s.health;
  if (s.retryInMs !== undefined && h.kind !== 'ready' && h.kind !== 'checking') {
    details.push(`Automatic completions pause after a failure; next try in ${Math.max(1, Math.ceil(s.retryInMs / 1000))} s (explicit triggers always try).`);
  }
  details.push('Click for the Tandem menu: snooze, languages, trigger, Check Setup, log.');
  if (!s.inlineEnabled) {
    return { icon: '$(circle-slash)', text: 'Tandem off', severity: 'ok', tooltip: ['Inline completions are turned off (tandem.inline.enabled).', ...details] };
  }
  if (s.snoozedUntil !== undefined && now < s.snoozedUntil) {
    const mins = Math.max(1, Math.ceil((s.snoozedUntil - now) / 60_000));
    return {
      icon: '$(bell-slash)', text: 'Tandem: snoozed', severity: 'ok',
      tooltip: [`Automatic inline completions are snoozed for ${mins} more minute${mins === 1 ? '' : 's'} (Alt+\\ still asks for one).`, ...details],
    };
  }
  if (s.remote?.blocked) {
    return { icon: '$(shield)', text: 'Tandem: remote blocked', severity: 'warning', tooltip: [`Local-only mode: ${s.remote.host} is not this machine, so no completions are requested from it.`, ...details] };
  }
  switch (h.kind) {
    case 'checking':
      return { icon: '$(loading~spin)', text: 'Tandem', severity: 'ok', tooltip: [`Checking ${where}…`, ...details] };
    case 'ready': {
      const onHost = s.remote ? ` (on ${s.remote.host}: code leaves this machine)` : '';
      // A slow answer that paid a model load is a cold start, not a slow model.
      const cold = !s.busy && (s.last?.server.loadMs ?? 0) >= COLD_START_MS;
      const slow = !s.busy && !cold && s.last !== undefined && s.last.firstTokenMs > SLOW_FIRST_TOKEN_MS;
      if (slow) {
        return {
          icon: '$(watch)', text: 'Tandem: slow', severity: 'warning',
          tooltip: [`${where} answers, but slowly: the first token took ${Math.round(s.last!.firstTokenMs)} ms. A smaller model or a GPU helps.`, ...details],
        };
      }
      return {
        icon: s.busy ? '$(loading~spin)' : '$(sparkle)',
        text: s.busy ? 'Tandem: busy' : cold ? 'Tandem: ready (was cold)' : 'Tandem: ready',
        severity: 'ok',
        tooltip: [`${s.busy ? 'Generating with' : 'Ready:'} ${where}${onHost}.`,
          `Fill-in-the-middle: ${h.fim === 'native' ? "the model's own template" : 'raw prompt with the family template'}.`,
          ...(h.version ? [`Server version ${h.version}.`] : []), ...details],
      };
    }
    case 'offline':
      return { icon: '$(debug-disconnect)', text: 'Tandem: offline', severity: 'warning', tooltip: [`The local model server is not reachable at ${s.endpoint}.`, h.detail, ...details] };
    case 'modelMissing':
      return { icon: '$(warning)', text: 'Tandem: model missing', severity: 'warning', tooltip: [`${s.model} is not available on the server at ${s.endpoint}.`, h.detail, ...details] };
    case 'noFim':
      return { icon: '$(warning)', text: 'Tandem: no FIM', severity: 'warning', tooltip: [`${s.model} cannot fill in the middle, so it cannot complete code here.`, h.detail, ...details] };
    case 'unauthorized':
      return {
        icon: '$(key)', text: h.tokenSent ? 'Tandem: token rejected' : 'Tandem: token needed', severity: 'warning',
        tooltip: [h.tokenSent
          ? `The server at ${s.endpoint} rejected the local server token (${h.status}). Set the right one with Tandem: Set Local Server Token.`
          : `The server at ${s.endpoint} requires a token (${h.status}). Set it with Tandem: Set Local Server Token.`, ...details],
      };
    case 'error':
      return { icon: '$(error)', text: 'Tandem: error', severity: 'error', tooltip: [`The local model server failed: ${h.detail}`, ...details] };
  }
}

function privacyLine(s: LocalState): string {
  if (s.privacyMode === 'localOnly') return 'local only (nothing leaves this machine)';
  return s.cloudFallback
    ? 'hybrid, with cloud help for inline completions when you trigger one explicitly or the local model is down (it costs money)'
    : 'hybrid (inline completions stay local)';
}
