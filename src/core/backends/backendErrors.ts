// Turns whatever a local server's client threw into the few kinds the engine and the status bar
// tell apart. ollama-js does not export its ResponseError class, so errors are recognised by
// name and fields (see api-facts.md).
import { causeCode } from '../shared/cloudFailure';
import { BackendError } from '../shared/modelBackend';

export function toBackendError(e: unknown, model: string): BackendError {
  if (e instanceof BackendError) return e;
  const err = e as { name?: string; message?: string; status_code?: number; status?: number; cause?: unknown };
  const message = String(err?.message ?? e);
  if (err?.name === 'AbortError' || err?.name === 'APIUserAbortError' || (e as object | undefined)?.constructor?.name === 'APIUserAbortError') {
    return new BackendError('aborted', 'Request was cancelled.', e);
  }
  const status = err?.status_code ?? err?.status;
  if (status === 404 || /model ['"]?[^'"]*['"]? not found/i.test(message)) {
    return new BackendError('modelMissing', `Model "${model}" is not available on the server. Pull it first (ollama pull ${model}).`, e);
  }
  if (/does not support insert/i.test(message)) {
    return new BackendError('noFim', `${model} does not support fill-in-the-middle.`, e);
  }
  if (isConnectionFailure(e)) {
    return new BackendError('offline', `Cannot reach the local model server (${causeCode(e) ?? message}).`, e);
  }
  if (typeof status === 'number') {
    return new BackendError('error', `The local model server answered ${status}: ${message}`, e);
  }
  if (e instanceof SyntaxError || /JSON/.test(message)) {
    return new BackendError('badResponse', `The local model server sent a malformed response (${message}).`, e);
  }
  return new BackendError('error', message, e);
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'EAI_AGAIN']);

function isConnectionFailure(e: unknown): boolean {
  const code = causeCode(e);
  if (code && CONNECTION_CODES.has(code)) return true;
  // The openai SDK's connection errors are named 'Error'; their class name is what tells them apart.
  const names = [(e as { name?: string })?.name, (e as object | undefined)?.constructor?.name];
  if (names.some((n) => n === 'APIConnectionError' || n === 'APIConnectionTimeoutError')) return true;
  return e instanceof TypeError && /fetch failed/i.test(e.message);
}

