// The baseline the benchmark measures CompletionEngine against: what a simple provider does. Every
// call sends a request at once, never aborts it (a cancelled call's request runs to the end) and
// waits for the whole answer before showing anything. No cache, no shape-based skipping.
import type { CompletionBackend } from '../src/core/shared/modelBackend';
import type { Clock } from '../src/core/shared/clock';
import { skipReasonFor, type CompletionContext, type CompletionOutcome } from '../src/core/completion/completionOutcome';
import { decideShape } from '../src/core/completion/completionShape';
import type { EngineSettings } from '../src/core/completion/engineSettings';
import { postProcess } from '../src/core/completion/postProcess';
import { buildPromptWindow } from '../src/core/completion/promptWindow';

export class NaiveEngine {
  constructor(private readonly deps: { backend: () => CompletionBackend; clock: Clock; settings: () => EngineSettings }) {}

  async complete(ctx: CompletionContext, cancel: AbortSignal): Promise<CompletionOutcome> {
    const clock = this.deps.clock;
    const t0 = clock.now();
    const s = this.deps.settings();
    const win = buildPromptWindow({ text: ctx.text, offset: ctx.offset, languageId: ctx.languageId },
      { maxPrefixChars: s.maxPrefixChars, maxSuffixChars: s.maxSuffixChars });
    const shape = decideShape(win.prefix, win.suffix, ctx.languageId, s.maxLines);
    const multiline = shape.kind === 'multiLine';
    const sentAt = clock.now();
    try {
      const r = await this.deps.backend().complete(
        { prefix: win.prefix, suffix: win.suffix, languageId: ctx.languageId, maxTokens: s.maxTokens, stop: [], temperature: s.temperature },
        new AbortController().signal, // deliberately never aborted: that is the baseline's waste
      );
      const endAt = clock.now();
      const timing = (now: number) => ({
        totalMs: now - t0, queuedMs: 0, requestMs: endAt - sentAt, firstTokenMs: r.firstTokenMs,
        modelMs: endAt - sentAt, overheadMs: (sentAt - t0) + (now - endAt), server: r.server,
      });
      if (cancel.aborted) return { kind: 'skipped', reason: 'cancelled', timings: timing(clock.now()) };
      const p = postProcess({
        raw: r.text, prefix: win.prefix, suffix: win.suffix, languageId: ctx.languageId,
        multiline, maxLines: multiline ? shape.maxLines : 1,
      });
      return p.kind === 'ok'
        ? { kind: 'shown', text: p.text, source: 'model', timings: timing(clock.now()) }
        : { kind: 'skipped', reason: 'empty', detail: p.reason, timings: timing(clock.now()) };
    } catch (e) {
      return { kind: 'skipped', reason: skipReasonFor(e), detail: String((e as Error)?.message ?? e) };
    }
  }
}
