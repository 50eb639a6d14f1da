// Thin adapter: a VS Code document and position become plain text + offset for the engine, a
// CancellationToken becomes an AbortSignal, and the engine's outcome becomes an inline item.
import * as vscode from 'vscode';
import type { CompletionContext, CompletionEngine, CompletionOutcome } from '../core/completion/completionEngine';
import type { ContextSnippet } from '../core/completion/promptWindow';
import type { CloudRouting } from './cloudInline';

export const ACCEPTED_COMMAND = 'tandem.inline.accepted';

export interface InlineProviderDeps {
  engine: () => CompletionEngine;
  /** Whether this document may be completed at all (settings, excluded files, languages). */
  allowed: (doc: vscode.TextDocument, trigger: 'automatic' | 'invoke') => { ok: true } | { ok: false; reason: string };
  onOutcome: (outcome: CompletionOutcome, doc: vscode.TextDocument, trigger: 'automatic' | 'invoke') => void;
  /** Excerpts of other open files that may inform this prompt (excluded files already left out). */
  snippets: (doc: vscode.TextDocument) => ContextSnippet[];
  /** Asked first: the router may send this request to the cloud (tandem.inline.cloudFallback). */
  cloud?: (doc: vscode.TextDocument, ctx: CompletionContext, signal: AbortSignal) => Promise<CloudRouting>;
}

export class InlineProvider implements vscode.InlineCompletionItemProvider {
  constructor(private readonly deps: InlineProviderDeps) {}

  async provideInlineCompletionItems(
    doc: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    const trigger = context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke ? 'invoke' as const : 'automatic' as const;
    const allowed = this.deps.allowed(doc, trigger);
    if (!allowed.ok) return undefined;
    // The suggest widget is open: its selected item would conflict with ghost text.
    if (context.selectedCompletionInfo) return undefined;
    const abort = new AbortController();
    const sub = token.onCancellationRequested(() => abort.abort());
    try {
      const ctx: CompletionContext = {
        documentKey: doc.uri.toString(),
        languageId: doc.languageId,
        text: doc.getText(),
        offset: doc.offsetAt(position),
        trigger,
        snippets: this.deps.snippets(doc),
      };
      const routed = await this.deps.cloud?.(doc, ctx, abort.signal);
      if (routed?.kind === 'handled') {
        // No accept command: acceptance stats and prefetching are the local engine's.
        return routed.text === undefined || token.isCancellationRequested ? undefined : [new vscode.InlineCompletionItem(routed.text, new vscode.Range(position, position))];
      }
      const outcome = await this.deps.engine().complete(ctx, abort.signal);
      this.deps.onOutcome(outcome, doc, trigger);
      if (outcome.kind !== 'shown' || token.isCancellationRequested) return undefined;
      const item = new vscode.InlineCompletionItem(outcome.text, new vscode.Range(position, position));
      item.command = { command: ACCEPTED_COMMAND, title: 'Accepted', arguments: [ctx, outcome.text] };
      return [item];
    } finally {
      sub.dispose();
    }
  }
}
