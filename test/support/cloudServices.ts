// The cloud pipeline and its two callers wired as the extension wires them (real OpenAI and Ollama
// chat backends, real reservations in the ledger directory), from one CloudContext.
import { ollamaLocalChatBackend, openAiCloudBackend } from '../../src/core/backends/chatBackends';
import { CloudInlineService, type CloudInlineDeps } from '../../src/core/completion/cloudInlineService';
import { BudgetReservations } from '../../src/core/cost/budgetReservations';
import { RefactorService } from '../../src/core/refactor/refactorService';
import type { CloudContext } from '../../src/core/routing/cloudContext';
import { CloudPipeline, type CloudBackendFactory } from '../../src/core/routing/cloudPipeline';
import { abortableSleep } from '../../src/core/shared/clock';

export function cloudPipelineFor(ctx: CloudContext, cloudBackend: CloudBackendFactory = openAiCloudBackend): CloudPipeline {
  return new CloudPipeline({ ...ctx, reservations: new BudgetReservations(ctx.ledger, ctx.now ? { clock: { now: ctx.now } } : {}), cloudBackend });
}

export function refactorServiceFor(ctx: CloudContext, pipeline = cloudPipelineFor(ctx)): RefactorService {
  return new RefactorService({ ...ctx, pipeline, localBackend: ollamaLocalChatBackend });
}

export function cloudInlineServiceFor(
  ctx: CloudContext & Partial<Pick<CloudInlineDeps, 'sleep' | 'autoMinIntervalMs' | 'autoPauseMs'>>,
  pipeline = cloudPipelineFor(ctx),
): CloudInlineService {
  return new CloudInlineService({
    ...ctx,
    pipeline,
    now: ctx.now ?? Date.now,
    sleep: ctx.sleep ?? abortableSleep,
  });
}
