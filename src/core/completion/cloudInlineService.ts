// Optional cloud help for inline completions (`tandem.inline.cloudFallback`, off by default). A
// hybrid tool that silently fell back from local to cloud leaked prompts and doubled a bill, so this
// path is narrow and loud: the router alone decides (hybrid mode, trusted workspace, a key for the
// user's own endpoint, budget left, and only on an explicit invoke or while the local model is
// down); what is sent goes through the cloud gate (exclusions, secret redaction with restore); every
// request that reached the server lands in the spend ledger and the egress log; and the outcome
// carries its route and cost so the status bar can show it. Anything the router does not send to
// the cloud comes back as `notCloud`, for the local engine (or nothing). Pricing, the gate, the
// budget reservation and the records are the cloud pipeline's (routing/cloudPipeline.ts).
import type { PayloadPart } from '../privacy/cloudGate';
import type { CloudAsk, CloudPipeline } from '../routing/cloudPipeline';
import type { UsageRecord } from '../shared/usageRecord';
import type { Sleep } from '../shared/clock';
import type { ChatMessage } from '../shared/refactorBackend';
import type { RouteDecision } from '../routing/routeDecision';
import type { TandemSettings } from '../settings';
import { decideShape, type CompletionShape } from './completionShape';
import { engineSettingsFrom } from './engineSettings';
import { postProcess } from './postProcess';
import { buildPromptWindow } from './promptWindow';

/**
 * Output cap per cloud completion: a line or a short block. It also bounds the pre-flight cost
 * (128 x $4.50/M = $0.000576 of output with gpt-5.4-mini) and how long a runaway reply can take.
 */
export const CLOUD_INLINE_MAX_OUTPUT_TOKENS = 128;
/**
 * While the local model is down, VS Code asks for a completion after every pause in typing; each
 * would be a paid request. Automatic requests therefore wait for a real pause and then go at most
 * once per this interval (explicit invokes always go: the user asked for that one). 10 s keeps the
 * worst case near 360 requests an hour of continuous typing (about $0.40 at gpt-5.4-mini with the
 * default context), where one per pause could be several times that, for suggestions mostly typed
 * past before they arrive.
 */
export const AUTO_CLOUD_MIN_INTERVAL_MS = 10_000;
/** An automatic request is only sent after this long without another keystroke (VS Code cancels on one). */
export const AUTO_CLOUD_PAUSE_MS = 600;
/** No byte from the server for this long ends the request: ghost text that late is useless. */
const CLOUD_INLINE_TIMEOUT_MS = 15_000;
/** Where the cursor is in the prompt; the reply is the text that replaces it. */
export const CURSOR_MARKER = '<CURSOR>';

export interface CloudInlineRequest {
  /** Workspace-relative path (forward slashes), for exclusion rules and the egress log. */
  relativePath: string;
  /** The document's identity: a reply is only reused for the same document, text and offset. */
  documentKey: string;
  languageId: string;
  text: string;
  offset: number;
  trigger: 'automatic' | 'invoke';
}

export interface CloudInlineDeps {
  pipeline: CloudPipeline;
  settings: () => TandemSettings;
  /** The wall clock (epoch ms), for the automatic-request interval. */
  now: () => number;
  /** The wait for a pause in typing, cut short by a cancel. */
  sleep: Sleep;
  autoMinIntervalMs?: number;
  autoPauseMs?: number;
}

export type CloudRoute = Extract<RouteDecision, { kind: 'cloud' }>;

export type CloudInlineSkip =
  /** Automatic request within AUTO_CLOUD_MIN_INTERVAL_MS of the last cloud request. */
  | 'throttled'
  | 'cancelled'
  /** Mid-line position: no completion is asked for there (the local engine's rule too). */
  | 'midLine'
  /** The cloud gate refused what would be sent (e.g. the file became excluded). */
  | 'gateRefused'
  /** The budget reservation was refused at send time (another window spent the rest meanwhile). */
  | 'overBudget'
  | 'noApiKey'
  /** The request failed (network, auth, rate limit, timeout…); `detail` says how. */
  | 'failed'
  /** The reply held nothing worth showing. */
  | 'empty';

export type CloudInlineResult =
  /** The router did not choose the cloud: the local engine serves it, or nothing does (refuse). */
  | { kind: 'notCloud'; route: RouteDecision }
  | { kind: 'shown'; route: CloudRoute; text: string; model: string; costMicros: number | null; usage?: UsageRecord; fromCache: boolean }
  | { kind: 'skipped'; route: CloudRoute; reason: CloudInlineSkip; detail: string; model: string; costMicros?: number | null; usage?: UsageRecord };

export class CloudInlineService {
  /** When the last cloud request was sent (or reserved): automatic ones wait out the interval. */
  private lastSentAt = Number.NEGATIVE_INFINITY;
  /** The last reply, reused when VS Code asks again for the very same text and position. */
  private last: { key: string; text: string } | undefined;

  constructor(private readonly deps: CloudInlineDeps) {}

  /** The router's decision for this request (the pipeline's plan; nothing is sent). */
  async route(req: Pick<CloudInlineRequest, 'relativePath' | 'trigger' | 'text' | 'offset' | 'languageId'>): Promise<RouteDecision> {
    return (await this.deps.pipeline.plan(this.ask(req))).route;
  }

  /** `onSend` runs right before the request leaves, so the status bar can show it while it runs. */
  async complete(req: CloudInlineRequest, signal: AbortSignal, onSend?: (route: CloudRoute, model: string) => void): Promise<CloudInlineResult> {
    const route = await this.route(req);
    if (route.kind !== 'cloud') return { kind: 'notCloud', route };
    const s = this.deps.settings();
    const now = this.deps.now;
    const model = s.cloud.model;
    const skip = (reason: CloudInlineSkip, detail: string, extra: { costMicros?: number | null; usage?: UsageRecord } = {}): CloudInlineResult =>
      ({ kind: 'skipped', route, reason, detail, model, ...extra });

    const key = cacheKey(req);
    if (this.last?.key === key) return { kind: 'shown', route, text: this.last.text, model, costMicros: 0, fromCache: true };

    const prompt = promptOf(req, s);
    const shape = prompt.shape;
    if (shape.kind === 'skip') return skip('midLine', 'The cursor is inside a line, where no completion is asked for.');

    if (req.trigger === 'automatic') {
      const wait = (this.deps.autoMinIntervalMs ?? AUTO_CLOUD_MIN_INTERVAL_MS) - (now() - this.lastSentAt);
      if (wait > 0) return skip('throttled', `At most one automatic cloud completion every ${Math.round((this.deps.autoMinIntervalMs ?? AUTO_CLOUD_MIN_INTERVAL_MS) / 1000)} s; next in ${Math.ceil(wait / 1000)} s (invoke one explicitly to ask now).`);
      await this.deps.sleep(this.deps.autoPauseMs ?? AUTO_CLOUD_PAUSE_MS, signal);
      if (signal.aborted) return skip('cancelled', 'Typing went on before the pause ended; nothing was sent.');
      // Another request may have gone out during the pause.
      if (now() - this.lastSentAt < (this.deps.autoMinIntervalMs ?? AUTO_CLOUD_MIN_INTERVAL_MS)) return skip('throttled', 'Another cloud completion was just sent.');
    }
    if (signal.aborted) return skip('cancelled', 'Cancelled before sending.');

    this.lastSentAt = now(); // reserved now: automatic requests wait out the interval from here
    const sent = await this.deps.pipeline.send(this.ask(req), { signal, onSend: () => onSend?.(route, model) });
    if (sent.kind === 'refused') {
      const reason: CloudInlineSkip = sent.reason === 'overBudget' ? 'overBudget' : sent.reason === 'noApiKey' ? 'noApiKey' : 'gateRefused';
      return skip(reason, sent.explain);
    }
    const result = sent;
    const costMicros = sent.costMicros;
    const charged = costMicros !== undefined ? { costMicros, ...(result.usage ? { usage: result.usage } : {}) } : {};

    let raw: string;
    if (result.kind === 'ok') raw = result.text;
    else if (result.kind === 'error' && result.error.kind === 'truncated') raw = result.partialText; // post-processing cuts it to shape
    else if (result.kind === 'cancelled') return skip('cancelled', 'Cancelled while the cloud was answering.', charged);
    else return skip('failed', result.error.message, charged);

    const processed = postProcess({
      raw: sent.send.restore(raw),
      prefix: prompt.window.prefix,
      suffix: prompt.window.suffix,
      languageId: req.languageId,
      multiline: shape.kind === 'multiLine',
      maxLines: shape.kind === 'multiLine' ? shape.maxLines : 1,
    });
    if (processed.kind === 'empty') return skip('empty', `The reply held nothing to show (${processed.reason}).`, charged);
    this.last = { key, text: processed.text };
    return { kind: 'shown', route, text: processed.text, model, costMicros: costMicros ?? null, ...(result.usage ? { usage: result.usage } : {}), fromCache: false };
  }

  private ask(req: PromptSource & Pick<CloudInlineRequest, 'trigger'>): CloudAsk {
    const s = this.deps.settings();
    const prompt = promptOf(req, s);
    return {
      kind: 'inline',
      command: 'inline',
      feature: 'inlineFallback',
      relativePath: req.relativePath,
      explicitInvoke: req.trigger === 'invoke',
      parts: prompt.parts,
      messagesOf: (parts) => buildMessages(parts, req, prompt.shape).messages,
      call: {
        maxOutputTokens: CLOUD_INLINE_MAX_OUTPUT_TOKENS,
        timeoutMs: Math.min(CLOUD_INLINE_TIMEOUT_MS, s.cloud.timeoutSeconds * 1000),
        // A rate-limited inline request is dropped, not waited out: the user has moved on by then.
        maxRateLimitRetries: 0,
        // The model's default reasoning effort (none for gpt-5.4-mini): tandem.cloud.reasoningEffort
        // is tuned for refactors, and reasoning tokens would eat the small output cap.
        useReasoningEffort: false,
      },
    };
  }
}

function cacheKey(req: CloudInlineRequest): string {
  return `${req.documentKey}\u0000${req.offset}\u0000${req.text}`;
}

type PromptSource = Pick<CloudInlineRequest, 'relativePath' | 'text' | 'offset' | 'languageId'>;

/**
 * The document around the cursor, in the same window the local model gets, and nothing from other
 * files: what leaves the machine for a completion is this file's neighbourhood only.
 */
function promptOf(req: PromptSource, s: TandemSettings) {
  const es = engineSettingsFrom(s);
  const window = buildPromptWindow({ text: req.text, offset: req.offset, languageId: req.languageId }, { maxPrefixChars: es.maxPrefixChars, maxSuffixChars: es.maxSuffixChars });
  // Prefix and suffix as two parts of the same file: the gate scans them as one text, so a key the
  // cursor splits is still found.
  const parts: PayloadPart[] = [
    { role: 'prompt', key: 'prefix', text: window.prefix, path: req.relativePath },
    { role: 'prompt', key: 'suffix', text: window.suffix, path: req.relativePath },
  ];
  // The same shape rule as the local engine: where it would skip (mid-line), so does the cloud.
  const shape: CompletionShape = decideShape(window.prefix, window.suffix, req.languageId, s.inline.maxLines);
  return { window, parts, shape };
}

/** The chat prompt from the parts the gate let through (secrets already replaced). */
export function buildMessages(parts: readonly PayloadPart[], req: Pick<CloudInlineRequest, 'relativePath' | 'languageId'>, shape: CompletionShape): { messages: ChatMessage[] } {
  const prefix = parts.find((p) => p.key === 'prefix')?.text ?? '';
  const suffix = parts.find((p) => p.key === 'suffix')?.text ?? '';
  const length = shape.kind === 'multiLine'
    ? `Write at most ${shape.maxLines} lines: the rest of the current block, no further.`
    : 'Complete the current line only: a single line, no line break.';
  const system = [
    'You are a code completion engine inside an editor.',
    `Reply with only the code to insert at ${CURSOR_MARKER}: no explanation, no markdown fences, and nothing that already comes before or after the cursor.`,
    length,
    'If nothing useful fits there, reply with nothing.',
  ].join(' ');
  const user = `File: ${req.relativePath} (${req.languageId})\n\n${prefix}${CURSOR_MARKER}${suffix}`;
  return { messages: [{ role: 'system', content: system }, { role: 'user', content: user }] };
}
