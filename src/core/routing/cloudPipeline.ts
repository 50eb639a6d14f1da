// The one cloud request pipeline. Refactors and inline cloud help both go through it, so a request
// is priced, gated, reserved, sent and recorded the same way whichever feature asks:
//
//   plan  price -> privacy gate and redaction (dry) -> pre-flight ceiling of what would really be
//         sent (placeholders can be longer than the secrets they replace) -> budget check -> route
//   send  privacy gate and redaction -> ceiling of the redacted messages -> budget RESERVATION
//         (atomic across windows) -> the injected backend -> settle with reported usage, or charge
//         the ceiling when the body left but no usage came back, or release -> egress record
//
// Callers build their own prompt from the parts the gate lets through (`messagesOf`), and decide
// what to do with the reply; everything about money and egress is here.
import type { ChatCallOptions as CloudCallOptions } from '../backends/chatBackends';
import type { BudgetReservations } from '../cost/budgetReservations';
import { checkBudget, type BudgetDecision } from '../cost/budget';
import { costMicros, formatUsd } from '../cost/costMath';
import { preflightEstimate, type PreflightEstimate } from '../cost/preflight';
import { summarize } from '../cost/spendSummary';
import { countChatTokens } from '../cost/tokenCount';
import { localDestination } from '../privacy/localDestination';
import { prepareCloudSend, type CloudSend, type CloudSendDecision, type PayloadPart } from '../privacy/cloudGate';
import { DEFAULT_CLOUD_BASE_URL, type SettingsSnapshot } from '../settings';
import { endpointHost } from '../shared/apiKeyAllowedFor';
import { resolvePrice, type PriceRow } from '../shared/priceTable';
import type { ChatMessage, RefactorBackend, RefactorRunResult } from '../shared/refactorBackend';
import type { UsageRecord } from '../shared/usageRecord';
import type { CloudContext } from './cloudContext';
import { decideRoute, localHealthFor, type RouteDecision } from './routeDecision';

export type { CloudCallOptions };

export type CloudBackendFactory = (s: SettingsSnapshot, apiKey: string, call: CloudCallOptions) => RefactorBackend;

export interface CloudPipelineDeps extends CloudContext {
  reservations: BudgetReservations;
  cloudBackend: CloudBackendFactory;
}

/** One request as a feature describes it. */
export interface CloudAsk {
  kind: 'refactor' | 'inline';
  /** As the ledger names it ('refactor', 'inline') and as the egress log does ('refactor', 'inlineFallback'). */
  command: 'refactor' | 'inline';
  feature: 'refactor' | 'inlineFallback';
  relativePath: string;
  explicitInvoke: boolean;
  parts: readonly PayloadPart[];
  /** The chat prompt from the parts the gate let through. */
  messagesOf: (parts: readonly PayloadPart[]) => ChatMessage[];
  call: CloudCallOptions;
}

/** Exactly what would leave the machine, for "Show What Will Be Sent" and the CLI's --dry-run. */
export interface CloudPreview {
  model: string;
  endpointHost: string;
  messages: ChatMessage[];
  /** Where secrets were replaced (rule and line), never the values. */
  redactions: Array<{ ruleId: string; placeholder: string }>;
  /** Context left out because its file is excluded. */
  dropped: Array<{ path: string; rule: string }>;
  bytes: number;
  sha256: string;
  /** The gate's refusal, when it would refuse (then `messages` is empty). */
  refused?: string;
}

export interface CloudPlan {
  route: RouteDecision;
  /** Present when the model has a price: computed over the REDACTED messages. */
  estimate?: PreflightEstimate & { price: PriceRow };
  budget?: BudgetDecision;
  preview?: CloudPreview;
}

export interface SendOptions {
  signal: AbortSignal;
  onProgress?: (chars: number) => void;
  /** Asked when the selection itself holds a secret; true sends it (redacted). */
  confirmSecrets?: (explain: string) => Promise<boolean>;
  /** Runs right before the request leaves. */
  onSend?: () => void;
}

export type CloudRefusal = { kind: 'refused'; reason: string; explain: string };

export type CloudSendResult =
  | CloudRefusal
  | (RefactorRunResult & {
      /** What the gate let out (the reply's placeholders are restored through it). */
      send: CloudSend;
      /** Charged for this request (micro-dollars); null: no known price; undefined: nothing charged. */
      costMicros?: number | null;
    });

/** Days of ledger records read for a budget check: the month so far, plus margin for time zones. */
const LOOKBACK_MS = 32 * 86_400_000;

export class CloudPipeline {
  constructor(private readonly deps: CloudPipelineDeps) {}

  /** The router's decision, and what the request would send and cost; nothing is sent or reserved. */
  async plan(ask: CloudAsk): Promise<CloudPlan> {
    const s = this.deps.settings();
    const base = {
      kind: ask.kind,
      mode: s.privacy.mode,
      trusted: this.deps.trusted(),
      excluded: this.deps.isExcluded(ask.relativePath),
      localHealth: localHealthFor(ask.kind, this.deps.localHealth()),
      cloudFallback: ask.kind === 'inline' ? s.inline.cloudFallback : false,
      explicitInvoke: ask.explicitInvoke,
      inlineInExcludedFiles: s.inline.enableInExcludedFiles,
      // With cloud help off, inline never needs the key (and the secret store is not read).
      hasApiKey: ask.kind === 'inline' && !s.inline.cloudFallback ? false : Boolean(await this.deps.apiKey()),
      endpointAllowed: s.policy.keyAllowed,
      // The "local" fallback may be another machine: local-only mode refuses it unless allowed.
      localDestination: localDestination(s.local.endpoint, s.local.allowedRemoteHosts),
    };
    // Budget is the last block the router checks: read the ledger only when it could matter.
    const unlimited = decideRoute({ ...base, budget: { kind: 'ok' } });
    if (unlimited.kind !== 'cloud' && ask.kind === 'inline') return { route: unlimited };
    const preview = await this.preview(ask);
    const price = resolvePrice(s.cloud.model, s.cloud.prices);
    let estimate: CloudPlan['estimate'];
    if (price.kind === 'known') {
      estimate = { ...preflightEstimate({ inputTokens: countChatTokens(preview.messages), model: s.cloud.model, maxOutputTokens: ask.call.maxOutputTokens }, price.row), price: price.row };
    }
    const now = this.now();
    const { records } = await this.deps.ledger.read({ sinceMs: now - LOOKBACK_MS });
    const budget = checkBudget(summarize(records, now), estimate?.maxCostMicros ?? 0, price.kind === 'known', s.policy.budget);
    const route = decideRoute({ ...base, budget });
    return { route: route.reason === 'overBudget' ? { ...route, explain: overBudgetExplain(budget, route.explain) } : route, estimate, budget, preview };
  }

  /** What the gate would let out, as the messages that would be sent (secrets counted as confirmed). */
  async preview(ask: CloudAsk): Promise<CloudPreview> {
    const s = this.deps.settings();
    const decision = await this.gate(ask.parts, s, true);
    const common = { model: s.cloud.model, endpointHost: endpointHost(s.cloud.baseUrl) };
    if (decision.kind !== 'send') {
      return { ...common, messages: ask.messagesOf(ask.parts), redactions: [], dropped: [], bytes: 0, sha256: '', refused: decision.explain };
    }
    return {
      ...common,
      messages: ask.messagesOf(decision.parts),
      redactions: decision.redactions.map((r) => ({ ruleId: r.ruleId, placeholder: r.placeholder })),
      dropped: decision.dropped,
      bytes: decision.bytes,
      sha256: decision.sha256,
    };
  }

  /** Gate, reserve, send, record. Never throws for a failed request; refusals come back as data. */
  async send(ask: CloudAsk, opts: SendOptions): Promise<CloudSendResult> {
    const s = this.deps.settings();
    let decision = await this.gate(ask.parts, s, false);
    if (decision.kind === 'needsConfirmation') {
      const ok = opts.confirmSecrets ? await opts.confirmSecrets(decision.explain) : false;
      if (!ok) return { kind: 'refused', reason: 'secretNotConfirmed', explain: `${decision.explain} Nothing was sent.` };
      decision = await decision.proceed();
    }
    if (decision.kind !== 'send') {
      return { kind: 'refused', reason: decision.kind === 'refuse' ? decision.reason : 'secretNotConfirmed', explain: decision.explain };
    }
    const send = decision;
    const messages = ask.messagesOf(send.parts);

    // The ceiling of what will really be sent, reserved against the budget of every window.
    const price = resolvePrice(s.cloud.model, s.cloud.prices);
    const inputTokens = countChatTokens(messages);
    const ceiling = price.kind === 'known'
      ? preflightEstimate({ inputTokens, model: s.cloud.model, maxOutputTokens: ask.call.maxOutputTokens }, price.row).maxCostMicros
      : 0;
    const reserved = await this.deps.reservations.reserve({
      ceilingMicros: ceiling,
      priceKnown: price.kind === 'known',
      budget: s.policy.budget,
      ttlMs: ask.call.timeoutMs * (ask.call.maxRateLimitRetries + 1) + 120_000,
    });
    if (reserved.kind === 'busy') {
      return { kind: 'refused', reason: 'overBudget', explain: 'Another window held the budget lock too long, so nothing was sent (the hard stop cannot be checked). Try again.' };
    }
    if (reserved.kind === 'refused') {
      return { kind: 'refused', reason: 'overBudget', explain: overBudgetExplain(reserved.decision, 'The budget is spent, so nothing was sent.') };
    }
    const reservation = reserved.reservation;
    const apiKey = await this.deps.apiKey();
    if (!apiKey) {
      await reservation.release();
      return { kind: 'refused', reason: 'noApiKey', explain: 'No OpenAI API key is set.' };
    }
    if (opts.signal.aborted) {
      await reservation.release();
      return { kind: 'cancelled', partialText: '', send };
    }
    const backend = this.deps.cloudBackend(s, apiKey, ask.call);
    opts.onSend?.();
    const result = await backend.run(messages, opts.signal, opts.onProgress);

    // What to charge: the reported (or estimated) usage; the ceiling when the body may have reached
    // the server but nothing came back to say what it cost; nothing when it never connected.
    let usage: UsageRecord | undefined = result.usage;
    let cost: number | null | undefined;
    if (usage) {
      cost = price.kind === 'known' ? costMicros(usage, price.row) : null;
    } else if (bodyMayHaveArrived(result)) {
      usage = { model: s.cloud.model, inputTokens, cachedInputTokens: 0, outputTokens: ask.call.maxOutputTokens, reasoningTokens: 0, source: 'estimated' };
      cost = price.kind === 'known' ? ceiling : null;
    }
    if (usage === undefined) {
      await reservation.release();
      return { ...result, send };
    }
    const writeError = await reservation.settle({
      workspace: this.deps.workspaceName(),
      route: 'cloud',
      command: ask.command,
      model: usage.model,
      inputTokens: usage.inputTokens,
      cachedInputTokens: usage.cachedInputTokens,
      outputTokens: usage.outputTokens,
      reasoningTokens: usage.reasoningTokens,
      costMicros: cost ?? null,
      ...(usage.requestId ? { requestId: usage.requestId } : {}),
      source: usage.source,
    });
    if (writeError) this.deps.log?.(`Could not write the spend record: ${writeError.message}`);
    this.deps.egress.append({
      workspace: this.deps.workspaceName(),
      filePath: ask.relativePath,
      feature: ask.feature,
      bytes: send.bytes,
      sha256: send.sha256,
      redactionCount: send.redactions.length,
      redactionRules: [...new Set(send.redactions.map((x) => x.ruleId))],
      model: usage.model,
      endpointHost: endpointHost(s.cloud.baseUrl),
      ...(cost !== null && cost !== undefined ? { costMicros: cost } : {}),
    }).catch((e: unknown) => this.deps.log?.(`Could not write the egress record: ${e instanceof Error ? e.message : String(e)}`));
    return { ...result, usage, send, costMicros: cost };
  }

  private gate(parts: readonly PayloadPart[], s: SettingsSnapshot, secretsConfirmed: boolean): Promise<CloudSendDecision> {
    return prepareCloudSend({
      payloadParts: parts,
      trusted: this.deps.trusted(),
      mode: s.privacy.mode,
      excludedCheck: this.deps.isExcluded,
      endpoint: { effectiveBaseUrl: s.cloud.baseUrl, userLevelBaseUrl: s.policy.userBaseUrl, defaultBaseUrl: DEFAULT_CLOUD_BASE_URL },
      redactSecrets: s.privacy.redactSecrets,
      ...(secretsConfirmed ? { secretsConfirmed } : {}),
    });
  }

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }
}

/**
 * Whether the request body may have reached the server although no usage came back: a connection
 * that was made and then died before a status (the server may have billed it). A refused
 * connection or an unresolved name sent nothing: that is 'offline', not 'network'.
 */
function bodyMayHaveArrived(result: RefactorRunResult): boolean {
  return result.kind === 'error' && result.error.kind === 'network';
}

export function overBudgetExplain(budget: BudgetDecision, fallback: string): string {
  if (budget.kind !== 'refuse') return fallback;
  if (budget.reason === 'unknownPrice') {
    return 'The cloud model has no known price and a budget is set, so the request is refused until a price is set (tandem.cloud.prices).';
  }
  const c = budget.cap;
  if (!c) return fallback;
  return `This request could cost up to ${formatUsd(c.maxCostMicros)}; ${c.period} spend is ${formatUsd(c.spentMicros)} of the ${formatUsd(c.capMicros)} cap ` +
    `(${formatUsd(c.remainingMicros)} left), so it was refused before sending.`;
}
