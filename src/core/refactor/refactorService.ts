// The refactor command's whole decision path, in one place and without vscode: where it may run
// (router: mode, trust, exclusion, key, endpoint, budget, local health), what it may cost at most
// (pre-flight with the real tokenizer), what may be sent (the cloud gate: exclusions, redaction),
// and what gets recorded (spend ledger for every request that reached a server, egress log for every
// cloud send). The VS Code command only gathers a RefactorRequest and shows the result.
import { OllamaChatBackend } from '../backends/ollamaChatBackend';
import { OpenAiChatBackend } from '../backends/openAiChatBackend';
import { checkBudget, type BudgetDecision } from '../cost/budget';
import { formatUsd } from '../cost/costMath';
import { preflightEstimate, type PreflightEstimate } from '../cost/preflight';
import { resolvePrice, type PriceRow } from '../shared/priceTable';
import { summarize } from '../cost/spendSummary';
import { countChatTokens, countTokens } from '../cost/tokenCount';
import { prepareCloudSend, type CloudSend, type CloudSendDecision, type PayloadPart } from '../privacy/cloudGate';
import type { CloudContext } from '../routing/cloudContext';
import { recordUsage } from '../routing/recordUsage';
import { decideRoute, localHealthFor, type RouteDecision } from '../routing/routeDecision';
import { DEFAULT_CLOUD_BASE_URL, type TandemSettings } from '../settings';
import type { RefactorBackend } from '../shared/refactorBackend';
import { boundContext, buildRefactorMessages, DEFAULT_CONTEXT_CHARS, type RefactorParts } from './refactorPrompt';
import { runRefactor, type CloudGate, type GateDecision, type RefactorInput, type RefactorOutcome } from './refactorSession';

export interface RefactorRequest extends RefactorInput {
  /** Workspace-relative path (forward slashes) of the document, for exclusion rules and the egress log. */
  relativePath: string;
}

export interface RefactorServiceDeps extends CloudContext {
  /** For tests: build backends differently (the defaults are the real SDK-based ones). */
  cloudBackend?: (s: TandemSettings, apiKey: string) => RefactorBackend;
  localBackend?: (s: TandemSettings) => RefactorBackend;
}

/** What the command may show before anything is sent. */
export interface RefactorPlan {
  route: RouteDecision;
  /** Present for cloud routes whose model has a price. */
  estimate?: PreflightEstimate & { price: PriceRow };
  /** Budget state for this request (cloud routes). */
  budget?: BudgetDecision;
  /** The cloud is blocked for this request but the local model could run it, if the user asks. */
  localAlternative: boolean;
}

export type RefactorResult = RefactorOutcome & {
  plan: RefactorPlan;
  /** Cost charged for this run (cloud), when known. */
  costMicros?: number | null;
};

export interface RunOptions {
  signal: AbortSignal;
  onProgress?: (chars: number) => void;
  /** Asked when the selection itself holds a secret; true sends it (redacted). */
  confirmSecrets?: (explain: string) => Promise<boolean>;
  /** The user chose the local model after the cloud was blocked. */
  forceLocal?: boolean;
}

const RATE_LIMIT_RETRIES = 2;

export class RefactorService {
  private readonly now: () => number;

  constructor(private readonly deps: RefactorServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Where the request would go and what it could cost; nothing is sent. */
  async plan(req: RefactorRequest): Promise<RefactorPlan> {
    const s = this.deps.settings();
    const excluded = this.deps.isExcluded(req.relativePath);
    const price = resolvePrice(s.cloud.model, s.cloud.prices);
    const priceKnown = price.kind === 'known';
    const messages = buildRefactorMessages(boundContext(partsOf(req), req.maxContextChars ?? DEFAULT_CONTEXT_CHARS));
    let estimate: RefactorPlan['estimate'];
    if (price.kind === 'known') {
      estimate = { ...preflightEstimate({ inputTokens: countChatTokens(messages), model: s.cloud.model, maxOutputTokens: s.cloud.maxOutputTokens }, price.row), price: price.row };
    }
    const { records } = await this.deps.ledger.read({ sinceMs: this.now() - 32 * 86_400_000 });
    const summary = summarize(records, this.now());
    const budget = checkBudget(summary, estimate?.maxCostMicros ?? 0, priceKnown, s.policy.budget);
    const hasApiKey = Boolean(await this.deps.apiKey());
    const route = decideRoute({
      kind: 'refactor',
      mode: s.privacy.mode,
      trusted: this.deps.trusted(),
      excluded,
      localHealth: localHealthFor('refactor', this.deps.localHealth()),
      cloudFallback: false,
      explicitInvoke: true,
      inlineInExcludedFiles: s.inline.enableInExcludedFiles,
      budget,
      hasApiKey,
      endpointAllowed: s.policy.keyAllowed,
    });
    const withBudgetNumbers = route.reason === 'overBudget' ? { ...route, explain: overBudgetExplain(budget, route.explain) } : route;
    return {
      route: withBudgetNumbers,
      estimate,
      budget,
      // The router would quietly use the local model when the cloud is blocked in hybrid mode; a
      // refactor the user asked of GPT-5.4 mini is not silently done by another model: they choose.
      localAlternative: route.kind === 'local' && route.reason !== 'localOnlyMode',
    };
  }

  async run(req: RefactorRequest, opts: RunOptions): Promise<RefactorResult> {
    const plan = await this.plan(req);
    const s = this.deps.settings();
    const route = plan.route;
    const useLocal = route.kind === 'local' && (!plan.localAlternative || opts.forceLocal === true);
    if (route.kind === 'refuse' || (route.kind === 'local' && !useLocal)) {
      return { kind: 'refused', reason: route.reason, explain: route.explain, plan };
    }

    let backend: RefactorBackend;
    let send: CloudSend | undefined;
    if (useLocal) {
      if (s.local.provider !== 'ollama') {
        return { kind: 'refused', reason: 'localRefactorNeedsOllama', explain: 'Local refactors run through Ollama\'s chat API; the local provider is an OpenAI-compatible server.', plan };
      }
      backend = this.deps.localBackend?.(s) ?? new OllamaChatBackend({
        host: s.local.endpoint, model: s.local.model, maxOutputTokens: s.cloud.maxOutputTokens,
        timeoutMs: s.cloud.timeoutSeconds * 1000, keepAlive: s.local.keepAlive, estimateTokens: countTokens,
      });
    } else {
      const key = await this.deps.apiKey();
      if (!key) return { kind: 'refused', reason: 'noApiKey', explain: 'No OpenAI API key is set.', plan };
      backend = this.deps.cloudBackend?.(s, key) ?? new OpenAiChatBackend({
        baseURL: s.cloud.baseUrl, apiKey: key, model: s.cloud.model,
        ...(s.cloud.reasoningEffort !== 'default' ? { reasoningEffort: s.cloud.reasoningEffort } : {}),
        maxOutputTokens: s.cloud.maxOutputTokens, timeoutMs: s.cloud.timeoutSeconds * 1000,
        maxRateLimitRetries: RATE_LIMIT_RETRIES, estimateTokens: countTokens,
      });
    }

    const gate: CloudGate = async (parts) => {
      const decision = await prepareCloudSend({
        payloadParts: toPayload(parts, req.relativePath),
        trusted: this.deps.trusted(),
        mode: s.privacy.mode,
        excludedCheck: this.deps.isExcluded,
        endpoint: { effectiveBaseUrl: s.cloud.baseUrl, userLevelBaseUrl: s.policy.userBaseUrl, defaultBaseUrl: DEFAULT_CLOUD_BASE_URL },
        redactSecrets: s.privacy.redactSecrets,
      });
      return this.toGateDecision(decision, parts, (sent) => { send = sent; }, opts);
    };

    let charged: number | null | undefined;
    const outcome = await runRefactor(req, {
      gate,
      backend,
      onProgress: opts.onProgress,
      onUsage: (usage, meta) => {
        charged = recordUsage(this.deps, { usage, route: meta.route, command: 'refactor', feature: 'refactor', relativePath: req.relativePath, send });
      },
    }, opts.signal);
    return { ...outcome, plan, costMicros: charged };
  }

  private async toGateDecision(decision: CloudSendDecision, parts: RefactorParts, onSend: (s: CloudSend) => void, opts: RunOptions): Promise<GateDecision> {
    if (decision.kind === 'needsConfirmation') {
      const ok = opts.confirmSecrets ? await opts.confirmSecrets(decision.explain) : false;
      if (!ok) return { kind: 'refuse', reason: 'secretNotConfirmed', explain: `${decision.explain} Nothing was sent.` };
      return this.toGateDecision(await decision.proceed(), parts, onSend, opts);
    }
    if (decision.kind === 'refuse') return decision;
    onSend(decision);
    return { kind: 'send', parts: fromPayload(decision.parts, parts), restore: (t) => decision.restore(t) };
  }
}

function partsOf(req: RefactorRequest): RefactorParts {
  return { selection: req.selection, before: req.before, after: req.after, languageId: req.languageId, instruction: req.instruction, path: req.relativePath };
}

/** Refactor parts as the gate sees them: the document's three pieces in order (scanned together). */
function toPayload(parts: RefactorParts, relativePath: string): PayloadPart[] {
  return [
    { role: 'instruction', key: 'instruction', text: parts.instruction },
    { role: 'context', key: 'before', text: parts.before, path: relativePath },
    { role: 'selection', key: 'selection', text: parts.selection, path: relativePath },
    { role: 'context', key: 'after', text: parts.after, path: relativePath },
  ];
}

function fromPayload(sent: readonly PayloadPart[], original: RefactorParts): RefactorParts {
  const byKey = new Map(sent.map((p) => [p.key, p.text]));
  return {
    ...original,
    instruction: byKey.get('instruction') ?? '',
    before: byKey.get('before') ?? '',
    selection: byKey.get('selection') ?? '',
    after: byKey.get('after') ?? '',
  };
}

function overBudgetExplain(budget: BudgetDecision, fallback: string): string {
  if (budget.kind !== 'refuse') return fallback;
  if (budget.reason === 'unknownPrice') {
    return 'The cloud model has no known price and a budget is set, so the request is refused until a price is set (tandem.cloud.prices).';
  }
  const c = budget.cap;
  if (!c) return fallback;
  return `This request could cost up to ${formatUsd(c.maxCostMicros)}; ${c.period} spend is ${formatUsd(c.spentMicros)} of the ${formatUsd(c.capMicros)} cap ` +
    `(${formatUsd(c.remainingMicros)} left), so it was refused before sending.`;
}
