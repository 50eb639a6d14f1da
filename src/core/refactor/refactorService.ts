// The refactor command's decision path without vscode. Where it may run, what it may cost, what
// may be sent and what gets recorded are the cloud pipeline's (routing/cloudPipeline.ts): this
// builds the refactor prompt, offers the local model when the cloud is blocked, and turns the
// reply into a preview. The VS Code command only gathers a RefactorRequest and shows the result.
import type { PayloadPart } from '../privacy/cloudGate';
import type { CloudAsk, CloudPipeline, CloudPlan, CloudPreview } from '../routing/cloudPipeline';
import type { CloudContext } from '../routing/cloudContext';
import { recordUsage } from '../routing/recordUsage';
import type { RouteDecision } from '../routing/routeDecision';
import type { TandemSettings } from '../settings';
import type { RefactorBackend } from '../shared/refactorBackend';
import { boundContext, buildRefactorMessages, DEFAULT_CONTEXT_CHARS, type RefactorParts } from './refactorPrompt';
import { refactorOutcome, runRefactor, type RefactorInput, type RefactorOutcome } from './refactorSession';
import type { BudgetDecision } from '../cost/budget';
import type { PreflightEstimate } from '../cost/preflight';
import type { PriceRow } from '../shared/priceTable';

export interface RefactorRequest extends RefactorInput {
  /** Workspace-relative path (forward slashes) of the document, for exclusion rules and the egress log. */
  relativePath: string;
}

export interface RefactorServiceDeps extends CloudContext {
  pipeline: CloudPipeline;
  /** Builds the local model's chat backend (Ollama /api/chat). */
  localBackend: (s: TandemSettings) => RefactorBackend;
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
  /** Exactly what would be sent to the cloud (after redaction), for "Show What Will Be Sent". */
  preview?: CloudPreview;
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
  constructor(private readonly deps: RefactorServiceDeps) {}

  /** Where the request would go, what it would send and what it could cost; nothing is sent. */
  async plan(req: RefactorRequest): Promise<RefactorPlan> {
    const plan: CloudPlan = await this.deps.pipeline.plan(this.ask(req));
    const route = plan.route;
    return {
      route,
      estimate: plan.estimate,
      budget: plan.budget,
      preview: plan.preview,
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
    if (useLocal) {
      if (s.local.provider !== 'ollama') {
        return { kind: 'refused', reason: 'localRefactorNeedsOllama', explain: 'Local refactors run through Ollama\'s chat API; the local provider is an OpenAI-compatible server.', plan };
      }
      let charged: number | null | undefined;
      const outcome = await runRefactor(req, {
        gate: async () => ({ kind: 'refuse', reason: 'notCloud', explain: 'A local refactor has no cloud gate.' }),
        backend: this.deps.localBackend(s),
        onProgress: opts.onProgress,
        onUsage: (usage, meta) => {
          charged = recordUsage(this.deps, { usage, route: meta.route, command: 'refactor', feature: 'refactor', relativePath: req.relativePath });
        },
      }, opts.signal);
      return { ...outcome, plan, costMicros: charged };
    }

    if (opts.signal.aborted) return { kind: 'cancelled', plan };
    const sent = await this.deps.pipeline.send(this.ask(req), {
      signal: opts.signal,
      onProgress: opts.onProgress,
      confirmSecrets: opts.confirmSecrets,
    });
    if (sent.kind === 'refused') return { ...sent, plan };
    const outcome = refactorOutcome(req, sent, (t) => sent.send.restore(t));
    return { ...outcome, plan, costMicros: sent.costMicros };
  }

  private ask(req: RefactorRequest): CloudAsk {
    const s = this.deps.settings();
    const maxChars = req.maxContextChars ?? DEFAULT_CONTEXT_CHARS;
    const parts = boundContext(partsOf(req), maxChars);
    return {
      kind: 'refactor',
      command: 'refactor',
      feature: 'refactor',
      relativePath: req.relativePath,
      explicitInvoke: true,
      parts: toPayload(parts, req.relativePath),
      messagesOf: (sent) => buildRefactorMessages(fromPayload(sent, parts), maxChars),
      call: {
        maxOutputTokens: s.cloud.maxOutputTokens,
        timeoutMs: s.cloud.timeoutSeconds * 1000,
        maxRateLimitRetries: RATE_LIMIT_RETRIES,
        useReasoningEffort: true,
      },
    };
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
