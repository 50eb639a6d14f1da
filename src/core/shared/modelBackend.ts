// The one interface the completion engine talks to. Two kinds implement it: Ollama's native API
// and OpenAI-compatible servers (llama.cpp server, vLLM, LM Studio) through /v1/completions.
import type { BackendFailure, BackendFailureKind } from './backendFailure';

/** A fill-in-the-middle request, already windowed and free of excluded content. */
export interface FimRequest {
  prefix: string;
  suffix: string;
  languageId: string;
  /** Generation cap (num_predict / max_tokens). */
  maxTokens: number;
  /** Extra stop sequences beyond the model family's own FIM stop tokens. */
  stop: string[];
  temperature: number;
  /**
   * Called with the text generated so far after every streamed chunk. Returning true ends the
   * stream there (the connection is closed, so the server stops generating): this is how a
   * single-line request stops at its first newline instead of running to maxTokens.
   */
  shouldStop?: (textSoFar: string) => boolean;
  /** The document the prompt came from (its URI), for the egress record when the endpoint is remote. */
  documentKey?: string;
}

/** What the server said about its own time, in milliseconds (Ollama reports nanoseconds). */
export interface ServerTimings {
  totalMs?: number;
  loadMs?: number;
  promptEvalMs?: number;
  evalMs?: number;
  promptTokens?: number;
  outputTokens?: number;
}

export interface FimResult {
  /** Raw generated text, before post-processing. */
  text: string;
  /** 'stop' (model finished), 'length' (hit maxTokens), 'client' (shouldStop ended it). */
  finish: 'stop' | 'length' | 'client';
  /** ms from request sent to first token, and to the end. */
  firstTokenMs: number;
  totalMs: number;
  server: ServerTimings;
}

/** The local model's state, as the status bar shows it. */
export type ModelHealth =
  | { kind: 'ready'; model: string; fim: 'native' | 'template'; version?: string }
  | { kind: 'offline'; detail: string }
  | { kind: 'modelMissing'; model: string; detail: string }
  | { kind: 'noFim'; model: string; detail: string }
  /** The server wants credentials (401) or refused the ones sent (403, or 401 with a token). */
  | { kind: 'unauthorized'; status: number; tokenSent: boolean; detail: string }
  | { kind: 'error'; detail: string };

/**
 * What a FIM backend throws: the failure record (`failure`), the same one chat backends return as
 * data. `kind` is the record's, for callers that only switch on it.
 */
export class BackendError extends Error {
  constructor(readonly failure: BackendFailure, cause?: unknown) {
    super(failure.message, { cause });
    this.name = 'BackendError';
  }

  get kind(): BackendFailureKind {
    return this.failure.kind;
  }
}

export interface WarmUpResult {
  loadMs: number;
  /** The probe's timings as the server reported them, when it reported them. */
  probe?: ServerTimings;
}

export interface CompletionBackend {
  /** Streams one completion. Rejects with BackendError; kind 'cancelled' when `signal` fired. */
  complete(req: FimRequest, signal: AbortSignal): Promise<FimResult>;
  /** Reachability, model presence and FIM support; cheap enough to call on activation. */
  checkHealth(signal?: AbortSignal): Promise<ModelHealth>;
  /**
   * Loads the model into memory ahead of the first keystroke, where the server supports it, and
   * measures the server with a short probe: `probe` carries its prompt and token rates (most
   * completions are closed early and report none), which size prompts and answers from the start.
   */
  warmUp?(signal?: AbortSignal): Promise<WarmUpResult>;
}
