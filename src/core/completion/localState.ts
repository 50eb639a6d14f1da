// What the local side is doing, as one value: the status bar, its tooltip and the log all read it.
import type { ModelHealth, ServerTimings } from '../backends/modelBackend';

export interface LocalState {
  readonly health: ModelHealth | { kind: 'checking' };
  readonly busy: boolean;
  readonly provider: 'ollama' | 'openai-compatible';
  readonly endpoint: string;
  readonly model: string;
  readonly inlineEnabled: boolean;
  readonly privacyMode?: 'hybrid' | 'localOnly';
  /** Latest completion: what the user waited and what the server said about itself. */
  readonly last?: { totalMs: number; firstTokenMs: number; server: ServerTimings; at: number };
  /** A load_duration this large means the model was not in memory: the user paid a cold start. */
  readonly coldStartMs?: number;
}

/** A model load that takes longer than this is shown as a cold start. */
export const COLD_START_MS = 1000;

export interface LocalStateView {
  icon: string;
  text: string;
  severity: 'ok' | 'warning' | 'error';
  /** First line is the one-sentence summary; the rest are details. */
  tooltip: string[];
}

export function describeLocalState(s: LocalState): LocalStateView {
  const where = `${s.model} via ${s.provider === 'ollama' ? 'Ollama' : 'an OpenAI-compatible server'} at ${s.endpoint}`;
  const details: string[] = [];
  if (s.privacyMode) details.push(`Privacy mode: ${s.privacyMode === 'localOnly' ? 'local only (nothing leaves this machine)' : 'hybrid (inline completions stay local)'}.`);
  if (s.last) {
    details.push(`Last completion: ${Math.round(s.last.totalMs)} ms (first token ${Math.round(s.last.firstTokenMs)} ms).`);
  }
  if (s.coldStartMs !== undefined && s.coldStartMs >= COLD_START_MS) {
    details.push(`Cold start: loading the model took ${(s.coldStartMs / 1000).toFixed(1)} s. Raise tandem.local.keepAlive to keep it loaded.`);
  }
  const h = s.health;
  if (!s.inlineEnabled) {
    return { icon: '$(circle-slash)', text: 'Tandem off', severity: 'ok', tooltip: ['Inline completions are turned off (tandem.inline.enabled).', ...details] };
  }
  switch (h.kind) {
    case 'checking':
      return { icon: '$(loading~spin)', text: 'Tandem', severity: 'ok', tooltip: [`Checking ${where}…`, ...details] };
    case 'ready':
      return {
        icon: s.busy ? '$(loading~spin)' : '$(sparkle)',
        text: s.busy ? 'Tandem: busy' : 'Tandem: ready',
        severity: 'ok',
        tooltip: [`${s.busy ? 'Generating with' : 'Ready:'} ${where}.`,
          `Fill-in-the-middle: ${h.fim === 'native' ? "the model's own template" : 'raw prompt with the family template'}.`,
          ...(h.version ? [`Server version ${h.version}.`] : []), ...details],
      };
    case 'offline':
      return { icon: '$(debug-disconnect)', text: 'Tandem: offline', severity: 'warning', tooltip: [`The local model server is not reachable at ${s.endpoint}.`, h.detail, ...details] };
    case 'modelMissing':
      return { icon: '$(warning)', text: 'Tandem: model missing', severity: 'warning', tooltip: [`${s.model} is not available on the server at ${s.endpoint}.`, h.detail, ...details] };
    case 'noFim':
      return { icon: '$(warning)', text: 'Tandem: no FIM', severity: 'warning', tooltip: [`${s.model} cannot fill in the middle, so it cannot complete code here.`, h.detail, ...details] };
    case 'error':
      return { icon: '$(error)', text: 'Tandem: error', severity: 'error', tooltip: [`The local model server failed: ${h.detail}`, ...details] };
  }
}
