// Why a request to a model failed, as data: the one record every backend produces, local or cloud,
// completion or chat. FIM backends throw it inside a BackendError (modelBackend.ts); chat backends
// return it in their RefactorRunResult. One sentence a user understands, the one action that helps,
// and the facts callers decide on. Messages never carry secrets (backends/failureFromError.ts
// scrubs everything that came from outside).

export type BackendFailureKind =
  /** The caller aborted (its signal fired, or the SDK reports a user abort). */
  | 'cancelled'
  /** No connection could be made (refused, name not resolved, host unreachable): nothing left the machine. */
  | 'offline'
  /** A connection was made and failed, or dropped before the reply finished: the server may have the request. */
  | 'network'
  /** The server did not answer in time. */
  | 'timeout'
  /** 401/403, or no key or token to send (`tokenSent` says which fix applies on a local server). */
  | 'unauthorized'
  /** 429: rate limited, out of quota, or a shared local server at capacity (never a popup for completions). */
  | 'rateLimited'
  /** 5xx, or an error the server sent in the middle of its reply. */
  | 'server'
  /** 404, or the server says the model is not there. */
  | 'notFound'
  /** The model cannot fill in the middle. */
  | 'noFim'
  /** Another 4xx: the server rejected this request as sent. */
  | 'badRequest'
  /** The reply was not valid JSON or ended without its final message. */
  | 'malformed'
  /** The reply hit the output-token limit before it was complete. */
  | 'truncated'
  /** Privacy refused the send (local-only mode, endpoint on another machine); nothing left. */
  | 'refused'
  | 'unknown';

export type BackendFailureAction = 'setApiKey' | 'retry' | 'openSettings';

export interface BackendFailure {
  readonly kind: BackendFailureKind;
  /** One sentence for the user: no secrets, no stack. */
  readonly message: string;
  readonly action?: BackendFailureAction;
  /** The HTTP status the server answered with, when there was one. */
  readonly status?: number;
  /** 'unauthorized' from a local server: whether a token went with the request. */
  readonly tokenSent?: boolean;
  readonly requestId?: string;
}

export function backendFailure(
  kind: BackendFailureKind,
  message: string,
  extra: Omit<BackendFailure, 'kind' | 'message'> = {},
): BackendFailure {
  return { kind, message, ...extra };
}

/** The caller's signal fired: the one cancelled record (nothing to fix, nothing to show). */
export const CANCELLED: BackendFailure = Object.freeze({ kind: 'cancelled', message: 'The request was cancelled.' });
