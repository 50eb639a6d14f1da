// The "typical extension" baseline: what most inline-completion extensions do today. A fixed
// 300 ms debounce, then one request that runs to the model's own end (the whole multi-line
// answer, no stop at the first newline), shown only once it is complete. It is given the benefit
// of the doubt on aborts: a cancelled call aborts its request (many do not).
import type { CompletionBackend } from '../src/core/shared/modelBackend';
import { sleep, type Clock } from '../src/core/shared/clock';
import { skipReasonFor, type CompletionContext, type CompletionOutcome } from '../src/core/completion/completionOutcome';
import { decideShape } from '../src/core/completion/completionShape';
import type { EngineSettings } from '../src/core/completion/engineSettings';
import { postProcess } from '../src/core/completion/postProcess';
import { buildPromptWindow } from '../src/core/completion/promptWindow';

export const TYPICAL_DEBOUNCE_MS = 300;

export class TypicalEngine {
  constructor(private readonly deps: { backend: () => CompletionBackend; clock: Clock; settings: () => EngineSettings }) {}

  async complete(ctx: CompletionContext, cancel: AbortSignal): Promise<CompletionOutcome> {
    const clock = this.deps.clock;
    const t0 = clock.now();
    if (ctx.trigger === 'automatic' && !(await sleep(clock, TYPICAL_DEBOUNCE_MS, cancel))) {
      return { kind: 'skipped', reason: 'cancelled' };
    }
    const s = this.deps.settings();
    const win = buildPromptWindow({ text: ctx.text, offset: ctx.offset, languageId: ctx.languageId },
      { maxPrefixChars: s.maxPrefixChars, maxSuffixChars: s.maxSuffixChars });
    const shape = decideShape(win.prefix, win.suffix, ctx.languageId, s.maxLines);
    try {
      const r = await this.deps.backend().complete(
        { prefix: win.prefix, suffix: win.suffix, languageId: ctx.languageId, maxTokens: s.maxTokens, stop: [], temperature: s.temperature },
        cancel,
      );
      const total = clock.now() - t0;
      if (cancel.aborted) return { kind: 'skipped', reason: 'cancelled' };
      const p = postProcess({
        raw: r.text, prefix: win.prefix, suffix: win.suffix, languageId: ctx.languageId,
        multiline: shape.kind !== 'singleLine', maxLines: s.maxLines,
      });
      return p.kind === 'ok'
        ? { kind: 'shown', text: p.text, source: 'model', timings: { totalMs: total, queuedMs: TYPICAL_DEBOUNCE_MS, overheadMs: 0 } }
        : { kind: 'skipped', reason: 'empty', detail: p.reason };
    } catch (e) {
      return { kind: 'skipped', reason: skipReasonFor(e) };
    }
  }
}
