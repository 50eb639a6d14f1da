// One refactor from selection to preview, as plain code: bound the context, ask the gate what may be
// sent, build the prompt, stream the reply, record its usage, restore redacted secrets, parse. The
// VS Code command only converts its inputs to a RefactorInput and shows the RefactorOutcome.

import type { UsageRecord } from '../shared/usageRecord';
import type { BackendFailure } from '../shared/backendFailure';
import type { RefactorBackend, RefactorRunResult } from '../shared/refactorBackend';
import { findSecrets } from '../privacy/secretRedactor';
import { spansWithin } from '../privacy/secretAwareCut';
import { boundContext, buildRefactorMessages, DEFAULT_CONTEXT_CHARS, type ContextSecrets, type RefactorParts } from './refactorPrompt';
import { parseRefactorReply } from './refactorReply';

/**
 * What the privacy gate decides about one cloud send. The privacy piece's `prepareCloudSend`
 * returns a superset of this; only these fields are read here.
 */
export type GateDecision =
  | { kind: 'refuse'; reason: string; explain: string }
  | { kind: 'needsConfirmation'; reason?: string; explain: string }
  | {
      kind: 'send';
      /** What may leave the machine: possibly redacted, possibly with less context or no path. */
      parts: RefactorParts;
      /** Puts redacted secrets back into the reply (placeholders → originals). */
      restore(text: string): string;
    };

/** THE place that decides whether and what may be sent to the cloud. */
export type CloudGate = (parts: RefactorParts) => Promise<GateDecision>;

/** Offsets into the document, as the adapter measured them when the command ran. */
export interface TextRange {
  start: number;
  end: number;
}

export interface RefactorInput extends RefactorParts {
  range: TextRange;
  documentVersion: number;
  eol: '\n' | '\r\n';
  /** Characters of context per side; DEFAULT_CONTEXT_CHARS when omitted. */
  maxContextChars?: number;
}

export interface UsageMeta {
  /** As the spend ledger names it (SpendRecord.command). */
  command: 'refactor';
  route: 'cloud' | 'local';
  outcome: 'ok' | 'failed' | 'cancelled';
}

export interface RefactorDeps {
  gate: CloudGate;
  backend: RefactorBackend;
  /** Called once per request that reached the server, never for refused ones. */
  onUsage(record: UsageRecord, meta: UsageMeta): void;
  /** Characters received so far, for the progress notification. */
  onProgress?(chars: number): void;
  /**
   * Asks the user about a 'needsConfirmation' decision and returns the decision that follows (the
   * adapter typically calls the gate again with the user's answer). Without it, such sends are refused.
   */
  confirm?(decision: Extract<GateDecision, { kind: 'needsConfirmation' }>): Promise<GateDecision>;
}

export type RefactorOutcome =
  | { kind: 'preview'; newText: string; range: TextRange; documentVersion: number; usage?: UsageRecord }
  | { kind: 'refused'; reason: string; explain: string }
  | { kind: 'failed'; failure: BackendFailure }
  | { kind: 'cancelled' }
  | { kind: 'empty' }
  | { kind: 'unchanged' };

const identity = (text: string) => text;

export async function runRefactor(input: RefactorInput, deps: RefactorDeps, signal: AbortSignal): Promise<RefactorOutcome> {
  if (signal.aborted) return { kind: 'cancelled' };
  const maxChars = input.maxContextChars ?? DEFAULT_CONTEXT_CHARS;
  const parts = boundContext(
    { selection: input.selection, before: input.before, after: input.after, languageId: input.languageId, instruction: input.instruction, ...(input.path !== undefined ? { path: input.path } : {}) },
    maxChars,
    deps.backend.route === 'cloud' ? await contextSecrets(input) : undefined,
  );

  let send = parts;
  let restore = identity;
  // Local runs never leave the machine, so the cloud gate has nothing to decide for them.
  if (deps.backend.route === 'cloud') {
    let decision = await deps.gate(parts);
    if (decision.kind === 'needsConfirmation') {
      decision = deps.confirm ? await deps.confirm(decision) : decision;
      if (decision.kind === 'needsConfirmation') {
        return { kind: 'refused', reason: decision.reason ?? 'notConfirmed', explain: decision.explain };
      }
    }
    if (decision.kind === 'refuse') return { kind: 'refused', reason: decision.reason, explain: decision.explain };
    send = decision.parts;
    restore = (text) => decision.restore(text);
  }
  if (signal.aborted) return { kind: 'cancelled' };

  const messages = buildRefactorMessages(send, maxChars);
  const result = await deps.backend.run(messages, signal, (chars) => deps.onProgress?.(chars));
  if (result.usage) {
    const outcome = result.kind === 'ok' ? 'ok' : result.kind === 'cancelled' ? 'cancelled' : 'failed';
    deps.onUsage(result.usage, { command: 'refactor', route: deps.backend.route, outcome });
  }
  return refactorOutcome(input, result, restore);
}

/** A finished model run as the command's outcome: the reply parsed into the code to preview. */
export function refactorOutcome(input: RefactorInput, result: RefactorRunResult, restore: (text: string) => string): RefactorOutcome {
  if (result.kind === 'cancelled') return { kind: 'cancelled' };
  if (result.kind === 'error') return result.error.kind === 'cancelled' ? { kind: 'cancelled' } : { kind: 'failed', failure: result.error };

  // Parsed against the ORIGINAL selection: the reply, once restored, speaks of the real text.
  const parsed = parseRefactorReply(restore(result.text), {
    selection: input.selection,
    eol: input.eol,
    linePrefix: input.before.slice(input.before.lastIndexOf('\n') + 1),
  });
  if (parsed.kind !== 'code') return parsed;
  return { kind: 'preview', newText: parsed.text, range: input.range, documentVersion: input.documentVersion, usage: result.usage };
}

/**
 * Secrets in the whole text around the selection, found before the context is cut so no cut lands
 * inside one. A scanner failure finds nothing here: the gate scans again and refuses (fails closed).
 */
export async function contextSecrets(input: Pick<RefactorInput, 'before' | 'selection' | 'after'>): Promise<ContextSecrets> {
  const whole = input.before + input.selection + input.after;
  const found = await findSecrets(whole).catch(() => []);
  const afterAt = input.before.length + input.selection.length;
  return { before: spansWithin(found, 0, input.before.length), after: spansWithin(found, afterAt, whole.length) };
}

/**
 * The gate before the privacy rules exist: in an untrusted workspace nothing goes to the cloud
 * (its settings, e.g. a base URL, may come from whoever wrote the workspace); otherwise send as is.
 */
export function untrustedGate(trusted: boolean | (() => boolean)): CloudGate {
  return async (parts) => {
    const isTrusted = typeof trusted === 'function' ? trusted() : trusted;
    if (!isTrusted) {
      return {
        kind: 'refuse',
        reason: 'untrustedWorkspace',
        explain: 'This workspace is not trusted, so Tandem sends nothing to the cloud from it. Trust the workspace to use cloud refactors.',
      };
    }
    return { kind: 'send', parts, restore: identity };
  };
}

/**
 * Whether a finished reply may no longer be applied: the document changed since the request and
 * the text under the original range is not what was sent. An edit elsewhere that leaves the
 * selected text where it was does not make the result stale.
 */
export function isStale(versionAtRequest: number, currentVersion: number, selectionTextNow: string, selectionTextThen: string): boolean {
  return versionAtRequest !== currentVersion && selectionTextNow !== selectionTextThen;
}
