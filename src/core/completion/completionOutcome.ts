// What one inline completion request came to, as data: the VS Code provider turns 'shown' into an
// item, and the status bar, the log and the benchmark read the same value.
import { BackendError, type ServerTimings } from '../shared/modelBackend';
import type { ContextSnippet } from './promptWindow';

/** The document as the provider saw it; plain values so the CLI and the benchmark can make one. */
export interface CompletionContext {
  /** The document's URI: answers are only reused within the same document. */
  documentKey: string;
  languageId: string;
  text: string;
  /** Cursor offset in `text` (UTF-16 code units, as VS Code's offsetAt). */
  offset: number;
  /** 'invoke' is an explicit request (no debounce, no remembered "nothing here"). */
  trigger: 'automatic' | 'invoke';
  /**
   * Bounded excerpts of other open files of the same language. The caller has already left out
   * excluded files: an excluded file never informs a prompt, not even as context.
   */
  snippets?: readonly ContextSnippet[];
}

export type ShownSource = 'model' | 'cache' | 'typingThrough' | 'inflight' | 'speculative';

export type SkipReason =
  | 'cancelled' | 'superseded' | 'midLine' | 'empty' | 'backendDown' | 'modelMissing' | 'noFim'
  | 'disabled' | 'excludedFile' | 'unauthorized' | 'serverBusy' | 'error';

/** Milliseconds; fields about the model are absent when no model answer was involved. */
export interface CompletionTimings {
  /** Provider entry to outcome. */
  totalMs: number;
  /** Debounce, plus waiting for an aborted request to close before the next may start. */
  queuedMs: number;
  /** How long this call waited on the model (request sent or joined, to answer). */
  requestMs?: number;
  /** Request sent to first streamed text. */
  firstTokenMs?: number;
  /** Request sent to the last token needed (a single-line answer ends at its newline). */
  modelMs?: number;
  /** Engine time: entry to request sent (minus queuedMs), plus answer to outcome. */
  overheadMs: number;
  /** What the server said about the request that produced the answer (load time: cold start). */
  server?: ServerTimings;
}

export type CompletionOutcome =
  | { kind: 'shown'; text: string; source: ShownSource; timings: CompletionTimings }
  | { kind: 'skipped'; reason: SkipReason; detail?: string; timings?: CompletionTimings };

/** The skip reason a backend failure maps to. */
export function skipReasonFor(error: unknown): SkipReason {
  if (!(error instanceof BackendError)) return 'error';
  switch (error.kind) {
    case 'offline': case 'network': case 'timeout': return 'backendDown';
    case 'notFound': return 'modelMissing';
    case 'noFim': return 'noFim';
    case 'cancelled': return 'cancelled';
    case 'unauthorized': return 'unauthorized';
    case 'rateLimited': return 'serverBusy';
    case 'refused': return 'disabled';
    default: return 'error';
  }
}
