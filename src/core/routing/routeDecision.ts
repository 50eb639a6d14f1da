// Which side serves a request, local or cloud, or neither, and why. Every rule about privacy mode,
// workspace trust, excluded files, the API key's endpoint, the budget and the local model's health
// lives here, and the decision (with its one-sentence explanation) is what the status tooltip and
// the log show. The privacy gate (cloudGate.ts) checks trust, mode and exclusion again right
// before sending: two locks, so a wiring mistake in one does not send anything.
import type { ModelHealth } from '../shared/modelBackend';
import type { PrivacyMode } from '../settings';

export type RequestKind = 'inline' | 'refactor';

/** The local model as far as THIS request kind is concerned (see `localHealthFor`). */
export type LocalHealth = 'ready' | 'down' | 'unknown';

export interface RouteInput {
  kind: RequestKind;
  mode: PrivacyMode;
  trusted: boolean;
  excluded: { excluded: boolean; rule?: string };
  localHealth: LocalHealth;
  /** `tandem.inline.cloudFallback` (off by default). */
  cloudFallback: boolean;
  /** The user asked for this completion (Invoke trigger), rather than typing. */
  explicitInvoke: boolean;
  /** `tandem.inline.enableInExcludedFiles`: local completions inside excluded files (off by default). */
  inlineInExcludedFiles: boolean;
  /** A BudgetDecision from cost/budget.ts, or anything with its `kind`. */
  budget: { kind: 'ok' | 'warn' | 'refuse' };
  hasApiKey: boolean;
  /** apiKeyAllowedFor(effective base URL, user-level base URL, default). */
  endpointAllowed: boolean;
}

export type RouteReason =
  // local
  | 'inlineLocal'
  | 'localOnlyMode'
  | 'excludedFileLocalAllowed'
  // cloud
  | 'cloudRefactor'
  | 'cloudFallbackInvoked'
  | 'cloudFallbackLocalDown'
  // refuse, or why a refactor fell back to the local model
  | 'excludedFile'
  | 'untrustedWorkspace'
  | 'noApiKey'
  | 'endpointNotAllowed'
  | 'overBudget'
  | 'localDown';

export type RouteDecision =
  | { kind: 'local'; reason: RouteReason; explain: string }
  | { kind: 'cloud'; reason: RouteReason; explain: string; budgetWarning: boolean }
  | { kind: 'refuse'; reason: RouteReason; explain: string };

type CloudBlock = Extract<RouteReason, 'localOnlyMode' | 'untrustedWorkspace' | 'noApiKey' | 'endpointNotAllowed' | 'overBudget'>;

/** Why the cloud may not be used for this request, in order of precedence; undefined when it may. */
function cloudBlock(i: RouteInput): CloudBlock | undefined {
  if (i.mode === 'localOnly') return 'localOnlyMode';
  if (!i.trusted) return 'untrustedWorkspace';
  if (!i.hasApiKey) return 'noApiKey';
  if (!i.endpointAllowed) return 'endpointNotAllowed';
  if (i.budget.kind === 'refuse') return 'overBudget';
  return undefined;
}

const BLOCK_TEXT: Record<CloudBlock, string> = {
  localOnlyMode: 'privacy mode is local-only',
  untrustedWorkspace: 'this workspace is not trusted',
  noApiKey: 'no OpenAI API key is set',
  endpointNotAllowed: 'the cloud base URL is not the one in your user settings, so the API key is not sent to it',
  overBudget: 'the cloud budget is spent',
};

export function decideRoute(i: RouteInput): RouteDecision {
  const localUsable = i.localHealth !== 'down';
  const block = cloudBlock(i);

  if (i.kind === 'inline') {
    if (i.excluded.excluded) {
      // Even when allowed, an excluded file only ever meets the local model.
      if (i.inlineInExcludedFiles && localUsable) {
        return local('excludedFileLocalAllowed', `Completing locally inside an excluded file (${rule(i)}), as tandem.inline.enableInExcludedFiles allows.`);
      }
      return refuse('excludedFile', `No completions in this file: it is excluded (${rule(i)}).`);
    }
    // Cloud help for inline: opted in, hybrid only, and only when asked for or when local is down.
    const wantsCloud = i.cloudFallback && (i.explicitInvoke || !localUsable);
    if (wantsCloud && block === undefined) {
      return !localUsable
        ? cloud('cloudFallbackLocalDown', 'The local model is unavailable, so this completion comes from the cloud (tandem.inline.cloudFallback).', i)
        : cloud('cloudFallbackInvoked', 'You asked for this completion, so it comes from the cloud (tandem.inline.cloudFallback).', i);
    }
    if (localUsable) return local('inlineLocal', 'Inline completions run on the local model.');
    const why = i.cloudFallback && block !== undefined ? ` Cloud fallback is unavailable: ${BLOCK_TEXT[block]}.` : '';
    return refuse('localDown', `The local model is unavailable, so there are no completions.${why}`);
  }

  // refactor
  if (i.excluded.excluded) {
    return refuse('excludedFile', `This file is excluded from AI features (${rule(i)}), so it cannot be refactored.`);
  }
  if (block === undefined) return cloud('cloudRefactor', 'The refactor runs in the cloud.', i);
  if (block === 'localOnlyMode') {
    return localUsable
      ? local('localOnlyMode', 'Privacy mode is local-only, so the refactor runs on the local model.')
      : refuse('localDown', 'Privacy mode is local-only and the local model is unavailable, so the refactor cannot run.');
  }
  // Cloud blocked for another reason: the local model can still do it, and says why.
  return localUsable
    ? local(block, `The refactor runs on the local model: ${BLOCK_TEXT[block]}.`)
    : refuse(block, `The refactor cannot run: ${BLOCK_TEXT[block]}, and the local model is unavailable.`);
}

/**
 * Maps the backend's health to what one request kind needs: a model without FIM cannot complete
 * inline but can still chat (refactor); 'checking' or no check yet is 'unknown' (try, and let the
 * request report a failure).
 */
export function localHealthFor(kind: RequestKind, health: ModelHealth | { kind: 'checking' } | undefined): LocalHealth {
  if (health === undefined || health.kind === 'checking') return 'unknown';
  switch (health.kind) {
    case 'ready':
      return 'ready';
    case 'noFim':
      return kind === 'refactor' ? 'ready' : 'down';
    case 'offline':
    case 'modelMissing':
    case 'error':
      return 'down';
  }
}

function rule(i: RouteInput): string {
  return i.excluded.rule ?? 'excluded';
}

function local(reason: RouteReason, explain: string): RouteDecision {
  return { kind: 'local', reason, explain };
}

function cloud(reason: RouteReason, explain: string, i: RouteInput): RouteDecision {
  const warn = i.budget.kind === 'warn';
  return { kind: 'cloud', reason, explain: warn ? `${explain} The cloud budget is nearly spent.` : explain, budgetWarning: warn };
}

function refuse(reason: RouteReason, explain: string): RouteDecision {
  return { kind: 'refuse', reason, explain };
}
