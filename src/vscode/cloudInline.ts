// Cloud help for inline completions in the editor: asks the router for every request (through
// CloudInlineService), and when it says cloud, fetches the completion there and makes it visible in
// a status bar item of its own ("$(cloud) cloud completion · $0.00012") and in the log. Decisions
// are core's (cloudInlineService.ts, cloudInlineView.ts); this only gathers inputs and shows results.
import * as vscode from 'vscode';
import type { CompletionContext } from '../core/completion/completionOutcome';
import { CloudInlineService } from '../core/completion/cloudInlineService';
import { cloudInlineLogLine, cloudInlineView, sendingView, type CloudInlineView } from '../core/completion/cloudInlineView';
import { abortableSleep, systemWallClock } from '../core/shared/clock';
import type { Services } from './services';

/** How long the item stays after a cloud completion (a local completion shown clears it sooner). */
const SHOW_FOR_MS = 60_000;

export type CloudRouting = { kind: 'local' } | { kind: 'handled'; text?: string };

export interface CloudInline {
  /** Routes one request: 'local' means the local engine serves it as before. */
  complete(doc: vscode.TextDocument, ctx: CompletionContext, signal: AbortSignal): Promise<CloudRouting>;
  /** A local completion was shown: the cloud indication no longer describes what the user sees. */
  localShown(): void;
}

export function createCloudInline(services: Services): CloudInline {
  const { log } = services;
  const service = new CloudInlineService({
    pipeline: services.cloud,
    settings: () => services.settings(),
    now: () => systemWallClock.now(),
    sleep: abortableSleep,
  });
  const status = new CloudInlineStatus();
  services.context.subscriptions.push(status,
    // Turned off, or local-only now: the indication must not suggest completions still go out.
    services.onDidChangeSettings((s) => { if (!s.inline.cloudFallback || s.privacy.mode === 'localOnly') status.hide(); }));
  let lastExplain = '';

  return {
    async complete(doc, ctx, signal) {
      let result;
      try {
        result = await service.complete({
          relativePath: services.exclusion.relativePath(doc.uri),
          documentKey: ctx.documentKey,
          languageId: ctx.languageId,
          text: ctx.text,
          offset: ctx.offset,
          trigger: ctx.trigger,
        }, signal, (route, model) => status.show(sendingView(model, route.explain)));
      } catch (e) {
        // A broken ledger file or secret store must not cost the user their local completions;
        // nothing was sent (the service never throws after sending).
        log.warn(`Inline routing failed, completing locally: ${e instanceof Error ? e.message : String(e)}`);
        if (status.sending) status.hide();
        return { kind: 'local' };
      }
      // The router's decision, as the status tooltip states it, logged when it changes.
      if (result.route.explain !== lastExplain) {
        lastExplain = result.route.explain;
        log.info(`Inline route: ${result.route.kind} (${result.route.reason}). ${result.route.explain}`);
      }
      // The pipeline's refusals are obeyed (nothing is completed); only 'local model down' still
      // lets the local engine try, since its own circuit breaker is how a recovery is noticed.
      if (result.kind === 'notCloud') {
        return result.route.kind === 'refuse' && result.route.reason !== 'localDown' ? { kind: 'handled' } : { kind: 'local' };
      }
      const view = cloudInlineView(result);
      const line = cloudInlineLogLine(result);
      if (line) (view ? log.info(line) : log.debug(line));
      if (view) status.show(view);
      else if (status.sending) status.hide();
      return { kind: 'handled', ...(result.kind === 'shown' ? { text: result.text } : {}) };
    },
    localShown: () => status.hide(),
  };
}

/** The `tandem.cloudCompletion` status bar item: shown only around cloud completions. */
class CloudInlineStatus implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private timer: NodeJS.Timeout | undefined;
  sending = false;

  constructor() {
    // Next to the local-model item (100) and left of the cost meter (99.5): it says which of the two served.
    this.item = vscode.window.createStatusBarItem('tandem.cloudCompletion', vscode.StatusBarAlignment.Right, 99.7);
    this.item.name = 'Tandem: Cloud Completion';
    this.item.command = 'tandem.showSpend';
  }

  show(view: CloudInlineView): void {
    this.sending = view.text.startsWith('$(sync~spin)');
    this.item.text = view.text;
    this.item.tooltip = new vscode.MarkdownString(view.tooltip.map((l) => l.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&')).join('\n\n'));
    this.item.accessibilityInformation = { label: `Tandem: ${view.text.replace(/\$\([^)]*\)\s*/g, '')}. ${view.tooltip[0]}` };
    this.item.backgroundColor = view.severity === 'warning' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.hide(), SHOW_FOR_MS);
  }

  hide(): void {
    clearTimeout(this.timer);
    this.sending = false;
    this.item.hide();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.item.dispose();
  }
}
