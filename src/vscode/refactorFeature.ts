// "Tandem: Refactor Selection...": palette, editor context menu and a RefactorRewrite code action.
// It gathers a RefactorRequest (selection, surrounding text, language, instruction), hands it to the
// core RefactorService (route, budget, privacy gate, ledger, egress log all live there), shows a
// cancellable progress notification while the reply streams, and turns the result into a preview
// or one notice with the action that helps. The command resolves with a plain RefactorSummary once
// the outcome is on screen.
import * as vscode from 'vscode';
import {
  ACTION_LABELS, presentResult, progressMessage, routeOf, staleNotice,
  type Notice, type NoticeAction, type RefactorSummary,
} from '../core/refactor/refactorPresentation';
import { DEFAULT_CONTEXT_CHARS } from '../core/refactor/refactorPrompt';
import type { RefactorPlan, RefactorRequest, RefactorResult } from '../core/refactor/refactorService';
import { sendPreviewMarkdown } from '../core/refactor/sendPreview';
import { registerApiKeyCommands, SET_API_KEY_COMMAND } from './apiKeyCommands';
import { InstructionHistory, pickInstruction } from './instructionPicker';
import { PREVIEW_SCHEME, RefactorPreview, type AcceptResult } from './refactorPreview';
import type { Services } from './services';

export const REFACTOR_COMMAND = 'tandem.refactorSelection';
export const ACCEPT_COMMAND = 'tandem.refactor.acceptPreview';
export const REJECT_COMMAND = 'tandem.refactor.rejectPreview';
export const CANCEL_COMMAND = 'tandem.refactor.cancel';
const RUNNING_KEY = 'tandem.refactorRunning';

export interface RefactorCommandArgs {
  instruction?: string;
  /** Run on the local model although the cloud was asked for (the "Run Locally" button). */
  forceLocal?: boolean;
  /**
   * For automation (tests, scripted use): answers "Send Redacted" in advance when the selection
   * holds a secret. The secret is still replaced by a placeholder before sending.
   */
  confirmSecrets?: boolean;
}

/** Where a refactor applies: a document and the offsets of the selection in it. */
interface Target {
  document: vscode.TextDocument;
  start: number;
  end: number;
}

// The core bounds the context at line boundaries; slicing twice that here keeps a huge file from
// being copied whole into every request object.
const CONTEXT_SLICE = DEFAULT_CONTEXT_CHARS * 2;
const PROGRESS_EVERY_MS = 150;

export function registerRefactorFeature(services: Services): void {
  const { context, log } = services;
  const preview = new RefactorPreview();
  const history = new InstructionHistory(context.globalState);
  let running: AbortController | undefined;

  const setRunning = (ac: AbortController | undefined) => {
    running = ac;
    void vscode.commands.executeCommand('setContext', RUNNING_KEY, ac !== undefined);
  };

  const showNotice = (notice: Notice, handlers: Partial<Record<NoticeAction, () => unknown>>): void => {
    const show = notice.severity === 'error' ? vscode.window.showErrorMessage
      : notice.severity === 'warning' ? vscode.window.showWarningMessage
        : vscode.window.showInformationMessage;
    const actions = notice.actions.filter((a) => handlers[a] !== undefined);
    // Not awaited: the command's outcome is on screen once the notice is; the button comes later.
    void Promise.resolve(show(notice.message, ...actions.map((a) => ACTION_LABELS[a]))).then((picked) => {
      const action = actions.find((a) => ACTION_LABELS[a] === picked);
      if (action) void handlers[action]?.();
    });
  };

  const requestFor = (t: Target, instruction: string): RefactorRequest => {
    const doc = t.document;
    const text = doc.getText();
    const relativePath = vscode.workspace.asRelativePath(doc.uri, false);
    return {
      selection: text.slice(t.start, t.end),
      before: text.slice(Math.max(0, t.start - CONTEXT_SLICE), t.start),
      after: text.slice(t.end, t.end + CONTEXT_SLICE),
      languageId: doc.languageId,
      instruction,
      path: relativePath,
      relativePath,
      range: { start: t.start, end: t.end },
      documentVersion: doc.version,
      eol: doc.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n',
    };
  };

  const showWhatWillBeSent = async (plan: RefactorPlan): Promise<void> => {
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: sendPreviewMarkdown(plan) });
    await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
  };

  const askSecretsFor = (plan: RefactorPlan) => async (explain: string): Promise<boolean> => {
    const send = 'Send Redacted';
    const show = 'Show What Will Be Sent';
    try {
      for (;;) {
        const picked = await vscode.window.showWarningMessage(explain, { modal: true }, send, show);
        if (picked !== show) return picked === send;
        await showWhatWillBeSent(plan);
      }
    } catch {
      // No dialog could be shown (VS Code refuses dialogs to extension tests): nobody said yes.
      return false;
    }
  };

  async function execute(t: Target, instruction: string, forceLocal: boolean, preConfirmed = false): Promise<RefactorSummary> {
    if (running) {
      const message = 'Tandem: a refactor is already running; cancel it or wait for it to finish.';
      void vscode.window.showInformationMessage(message);
      return { kind: 'refused', reason: 'busy', message };
    }
    const req = requestFor(t, instruction);
    const s = services.settings();
    const ac = new AbortController();
    setRunning(ac);
    let result: RefactorResult;
    try {
      const plan = await services.refactor.plan(req);
      const route = routeOf(plan, forceLocal);
      const opts = { signal: ac.signal, confirmSecrets: preConfirmed ? async () => true : askSecretsFor(plan), forceLocal };
      if (route === undefined) {
        // Nothing will be sent: no progress to show, the service says why.
        result = await services.refactor.run(req, opts);
      } else {
        const where = route === 'cloud' ? s.cloud.model : `the local model (${s.local.model})`;
        const maxCost = route === 'cloud' ? plan.estimate?.maxCostMicros : undefined;
        result = await vscode.window.withProgress({
          location: vscode.ProgressLocation.Notification,
          title: `Tandem: refactoring with ${where}`,
          cancellable: true,
        }, async (progress, token) => {
          token.onCancellationRequested(() => ac.abort());
          progress.report({ message: progressMessage(0, maxCost) });
          let lastReport = 0;
          return services.refactor.run(req, {
            ...opts,
            onProgress: (chars) => {
              const now = Date.now();
              if (now - lastReport < PROGRESS_EVERY_MS) return;
              lastReport = now;
              progress.report({ message: progressMessage(chars, maxCost) });
            },
          });
        });
      }
    } catch (e) {
      // The service reports failures as data; anything thrown is a bug, shown without detail that could hold code.
      log.error(`Refactor failed unexpectedly: ${e instanceof Error ? e.name : 'error'}`);
      const message = 'Tandem: the refactor failed unexpectedly; nothing was changed. See the Tandem output for details.';
      void vscode.window.showErrorMessage(message);
      return { kind: 'failed', reason: 'internal', message };
    } finally {
      setRunning(undefined);
    }

    const rerun = (local = forceLocal) => execute(t, instruction, local);
    const { summary, notice } = presentResult(result, { forceLocal });
    log.info(`Refactor (${summary.route ?? 'not sent'}): ${summary.kind}${summary.reason ? ` (${summary.reason})` : ''}` +
      `${typeof summary.costMicros === 'number' ? `, cost ${summary.costMicros} µ$` : ''}`);

    if (result.kind === 'preview') {
      const proposal = {
        document: t.document, range: result.range, selectionThen: req.selection,
        documentVersion: result.documentVersion, newText: result.newText, instruction,
      };
      if (RefactorPreview.isStale(proposal)) {
        // The user edited the selected code while the model worked: never preview a stale result.
        const stale = staleNotice();
        showNotice(stale, { rerun: () => rerunAfterStale(t, instruction) });
        return { ...summary, kind: 'failed', reason: 'stale', message: stale.message };
      }
      await preview.show(proposal);
      return summary;
    }
    if (notice) {
      showNotice(notice, {
        setApiKey: () => vscode.commands.executeCommand(SET_API_KEY_COMMAND),
        retry: () => rerun(),
        runLocally: () => rerun(true),
        openSettings: () => vscode.commands.executeCommand('workbench.action.openSettings', 'tandem.cloud'),
      });
    }
    return summary;
  }

  /** Re-run after a stale result: on the user's selection in that document if there is one, else the old offsets. */
  async function rerunAfterStale(t: Target, instruction: string): Promise<RefactorSummary> {
    const editor = await vscode.window.showTextDocument(t.document, { preview: false });
    const sel = editor.selection;
    const doc = editor.document;
    const target = sel.isEmpty
      ? { document: doc, start: Math.min(t.start, doc.getText().length), end: Math.min(t.end, doc.getText().length) }
      : { document: doc, start: doc.offsetAt(sel.start), end: doc.offsetAt(sel.end) };
    editor.selection = new vscode.Selection(doc.positionAt(target.start), doc.positionAt(target.end));
    return execute(target, instruction, false);
  }

  const refactorSelection = async (arg?: unknown): Promise<RefactorSummary> => {
    const args = (typeof arg === 'object' && arg !== null ? arg : {}) as RefactorCommandArgs;
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.selection.isEmpty || editor.document.uri.scheme === PREVIEW_SCHEME) {
      const message = 'Tandem: select the code to refactor first.';
      void vscode.window.showInformationMessage(message);
      return { kind: 'noSelection', message };
    }
    const doc = editor.document;
    const target: Target = { document: doc, start: doc.offsetAt(editor.selection.start), end: doc.offsetAt(editor.selection.end) };
    const given = typeof args.instruction === 'string' ? args.instruction.trim() : '';
    const instruction = given !== '' ? given : await pickInstruction(history);
    if (instruction === undefined) return { kind: 'cancelled', reason: 'noInstruction' };
    await history.remember(instruction);
    return execute(target, instruction, args.forceLocal === true, args.confirmSecrets === true);
  };

  /** "Show What Will Be Sent": the selection's refactor as it would leave, without sending it. */
  const showWhatWouldBeSent = async (arg?: unknown): Promise<string | undefined> => {
    const args = (typeof arg === 'object' && arg !== null ? arg : {}) as RefactorCommandArgs;
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.selection.isEmpty || editor.document.uri.scheme === PREVIEW_SCHEME) {
      void vscode.window.showInformationMessage('Tandem: select the code to refactor first.');
      return undefined;
    }
    const doc = editor.document;
    const given = typeof args.instruction === 'string' ? args.instruction.trim() : '';
    const instruction = given !== '' ? given : await pickInstruction(history);
    if (instruction === undefined) return undefined;
    const plan = await services.refactor.plan(requestFor({ document: doc, start: doc.offsetAt(editor.selection.start), end: doc.offsetAt(editor.selection.end) }, instruction));
    await showWhatWillBeSent(plan);
    return sendPreviewMarkdown(plan);
  };

  const accept = async (): Promise<{ applied: boolean; reason?: string }> => {
    const r: AcceptResult = await preview.accept();
    if (r.applied) {
      log.info('Refactor preview accepted and applied.');
      return { applied: true };
    }
    if (r.reason === 'stale' && r.proposal) {
      const p = r.proposal;
      log.info('Refactor preview not applied: the document changed under the selection.');
      showNotice(staleNotice(), { rerun: () => rerunAfterStale({ document: p.document, start: p.range.start, end: p.range.end }, p.instruction) });
    } else if (r.reason === 'editFailed') {
      void vscode.window.showErrorMessage('Tandem: VS Code could not apply the refactor; nothing was changed.');
    }
    return { applied: false, reason: r.reason };
  };

  context.subscriptions.push(
    preview,
    vscode.commands.registerCommand(REFACTOR_COMMAND, refactorSelection),
    vscode.commands.registerCommand('tandem.refactor.showWhatWillBeSent', showWhatWouldBeSent),
    vscode.commands.registerCommand(ACCEPT_COMMAND, accept),
    vscode.commands.registerCommand(REJECT_COMMAND, async () => ({ rejected: await preview.reject() })),
    vscode.commands.registerCommand(CANCEL_COMMAND, () => {
      const ac = running;
      ac?.abort();
      return { cancelled: ac !== undefined };
    }),
    vscode.languages.registerCodeActionsProvider(
      [{ scheme: 'file' }, { scheme: 'untitled' }, { scheme: 'vscode-remote' }],
      new RefactorCodeActions(),
      { providedCodeActionKinds: RefactorCodeActions.kinds },
    ),
  );
  registerApiKeyCommands(services);
}

/** The lightbulb entry on a non-empty selection. */
class RefactorCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.RefactorRewrite];

  provideCodeActions(_doc: vscode.TextDocument, range: vscode.Range | vscode.Selection, ctx: vscode.CodeActionContext): vscode.CodeAction[] {
    if (range.isEmpty) return [];
    if (ctx.only && !ctx.only.intersects(vscode.CodeActionKind.RefactorRewrite)) return [];
    const action = new vscode.CodeAction('Refactor with Tandem…', vscode.CodeActionKind.RefactorRewrite);
    action.command = { command: REFACTOR_COMMAND, title: 'Refactor with Tandem…' };
    return [action];
  }
}
