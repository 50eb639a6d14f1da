// What the refactor command shows and returns for each outcome, decided without vscode: the plain
// summary the command resolves with (tests and the other features read it), the one notice a person
// sees, and which buttons it carries. The adapter only turns a Notice into a VS Code message.
import { formatUsd } from '../cost/costMath';
import type { RefactorPlan, RefactorResult } from './refactorService';

/** The command's return value (the contract shared with the cost and privacy features). */
export interface RefactorSummary {
  kind: 'preview' | 'refused' | 'failed' | 'cancelled' | 'empty' | 'unchanged' | 'noSelection';
  reason?: string;
  message?: string;
  costMicros?: number | null;
  route?: 'cloud' | 'local';
}

/** A button on a notice; the adapter maps each to a command. */
export type NoticeAction = 'setApiKey' | 'retry' | 'openSettings' | 'runLocally' | 'rerun';

export interface Notice {
  severity: 'info' | 'warning' | 'error';
  message: string;
  actions: NoticeAction[];
}

export interface Presentation {
  summary: RefactorSummary;
  /** Absent when nothing needs saying (a preview speaks for itself; a cancel was the user's own). */
  notice?: Notice;
}

export const ACTION_LABELS: Readonly<Record<NoticeAction, string>> = {
  setApiKey: 'Set API Key',
  retry: 'Retry',
  openSettings: 'Open Settings',
  runLocally: 'Run Locally',
  rerun: 'Re-run',
};

// Why the cloud was not used, when the local model could still do the refactor: the user chooses.
const CLOUD_BLOCKED: Readonly<Record<string, string>> = {
  untrustedWorkspace: 'this workspace is not trusted',
  noApiKey: 'no OpenAI API key is set',
  endpointNotAllowed: 'tandem.cloud.baseUrl is not the one in your user settings, so the API key is not sent to it',
  overBudget: 'the cloud budget is spent',
};

export function routeOf(plan: RefactorPlan, forceLocal: boolean): 'cloud' | 'local' | undefined {
  if (plan.route.kind === 'cloud') return 'cloud';
  if (plan.route.kind === 'local' && (!plan.localAlternative || forceLocal)) return 'local';
  return undefined;
}

export function presentResult(result: RefactorResult, opts: { forceLocal?: boolean } = {}): Presentation {
  const route = routeOf(result.plan, opts.forceLocal === true);
  const base = {
    ...(route ? { route } : {}),
    ...(result.costMicros !== undefined ? { costMicros: result.costMicros } : {}),
  };
  const tag = 'Tandem: ';
  switch (result.kind) {
    case 'preview':
      return { summary: { kind: 'preview', ...base } };
    case 'cancelled':
      return { summary: { kind: 'cancelled', ...base } };
    case 'empty': {
      const message = `${tag}the model returned no code, so nothing was changed.`;
      return { summary: { kind: 'empty', message, ...base }, notice: { severity: 'warning', message, actions: ['retry'] } };
    }
    case 'unchanged': {
      const message = `${tag}the model suggests no change to the selection.`;
      return { summary: { kind: 'unchanged', message, ...base }, notice: { severity: 'info', message, actions: [] } };
    }
    case 'refused': {
      const blocked = result.plan.localAlternative && !opts.forceLocal ? CLOUD_BLOCKED[result.reason] : undefined;
      const actions: NoticeAction[] = [];
      let message: string;
      if (blocked) {
        message = `${tag}the refactor was not sent to the cloud: ${blocked}. Nothing left this machine; you can run it on the local model instead.`;
        actions.push('runLocally');
      } else {
        message = `${tag}${result.explain}`;
      }
      if (result.reason === 'noApiKey') actions.unshift('setApiKey');
      if (result.reason === 'endpointNotAllowed') actions.push('openSettings');
      return { summary: { kind: 'refused', reason: result.reason, message, ...base }, notice: { severity: 'warning', message, actions } };
    }
    case 'failed': {
      const f = result.failure;
      const message = `${tag}${f.message}`;
      const actions: NoticeAction[] = f.action ? [f.action] : [];
      return { summary: { kind: 'failed', reason: f.kind, message, ...base }, notice: { severity: 'error', message, actions } };
    }
  }
}

/** The stale-result notice: the text under the selection changed while the model worked. */
export function staleNotice(): Notice {
  return {
    severity: 'warning',
    message: 'Tandem: the code under the selection changed since the refactor was requested, so the result was not applied. Nothing was changed.',
    actions: ['rerun'],
  };
}

/** The progress notification's message: streamed size, and the pre-flight ceiling when priced. */
export function progressMessage(chars: number, maxCostMicros?: number): string {
  const size = chars === 0 ? 'waiting for the model…' : `${chars.toLocaleString('en-US')} chars received`;
  return maxCostMicros === undefined ? size : `${size} · ≤ ${formatUsd(maxCostMicros)}`;
}

/** Most recent first, no duplicates (ignoring surrounding space), at most `max`. */
export function rememberInstruction(recent: readonly string[], instruction: string, max = 10): string[] {
  const text = instruction.trim();
  if (text === '') return [...recent].slice(0, max);
  return [text, ...recent.filter((r) => r.trim() !== text)].slice(0, max);
}
