// Which inline completion outcomes become local ledger records, and with what numbers. Local records
// cost nothing and stay on this machine; they let the spend view say what the cloud would have
// charged for the same work.

import type { CompletionOutcome, ShownSource } from './completionOutcome';
import type { NewSpendRecord } from '../cost/ledger';

/**
 * A completion counts as shown when a model request produced it for the user. Re-showing a cached
 * answer, or the rest of one the user is typing through, is the same suggestion again: counting it
 * would price one model request many times.
 */
const COUNTED_SOURCES: ReadonlySet<ShownSource> = new Set<ShownSource>(['model', 'inflight', 'speculative']);

export interface LocalEventContext {
  /** The local model's name. */
  model: string;
  workspace: string;
  /**
   * Prompt tokens to charge when the server did not report them: the prompt window is at most
   * `contextTokens`, and at most the document (about 4 characters per token).
   */
  contextTokens: number;
  documentChars: number;
}

export function isCountedShow(outcome: CompletionOutcome): boolean {
  return outcome.kind === 'shown' && COUNTED_SOURCES.has(outcome.source);
}

/** The record for a shown completion, or undefined when the outcome is not one to count. */
export function localShownRecord(outcome: CompletionOutcome, ctx: LocalEventContext): NewSpendRecord | undefined {
  if (outcome.kind !== 'shown' || !COUNTED_SOURCES.has(outcome.source)) return undefined;
  const server = outcome.timings.server;
  const reported = server?.promptTokens !== undefined && server.outputTokens !== undefined;
  const inputTokens = reported ? wholeTokens(server.promptTokens!) : Math.min(wholeTokens(ctx.contextTokens), Math.ceil(ctx.documentChars / 4));
  const outputTokens = reported ? wholeTokens(server.outputTokens!) : Math.max(1, Math.ceil(outcome.text.length / 4));
  return {
    workspace: ctx.workspace,
    route: 'local',
    command: 'inline',
    model: ctx.model,
    inputTokens,
    cachedInputTokens: 0,
    outputTokens,
    reasoningTokens: 0,
    costMicros: 0,
    source: reported ? 'reported' : 'estimated',
    localEvent: 'shown',
    // What the user waited: from the provider being asked to the suggestion being ready.
    latencyMs: Math.max(0, Math.round(outcome.timings.totalMs)),
  };
}

/** The record for a completion the user accepted (its tokens were counted when it was shown). */
export function localAcceptedRecord(ctx: Pick<LocalEventContext, 'model' | 'workspace'>): NewSpendRecord {
  return {
    workspace: ctx.workspace,
    route: 'local',
    command: 'inline',
    model: ctx.model,
    inputTokens: 0,
    cachedInputTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    costMicros: 0,
    source: 'reported',
    localEvent: 'accepted',
  };
}

function wholeTokens(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}
